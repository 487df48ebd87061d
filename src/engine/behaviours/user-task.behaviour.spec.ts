import { Harness } from '../testing/harness.js';
import { chain, zeebe } from '../testing/bpmn.js';

const xml = zeebe(`
  <bpmn:startEvent id="start"/>
  <bpmn:userTask id="review" name="Review invoice">
    <bpmn:extensionElements>
      <zeebe:assignmentDefinition assignee="= owner" candidateGroups="= concatenate([&quot;accounting&quot;], extraGroups)" candidateUsers="bob,carol"/>
      <zeebe:taskSchedule dueDate="= dueIn" followUpDate="2026-02-01T10:00:00Z"/>
      <zeebe:priorityDefinition priority="= 70"/>
      <zeebe:formDefinition formId="review-form"/>
      <zeebe:taskHeaders><zeebe:header key="template" value="review-mail"/></zeebe:taskHeaders>
    </bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:endEvent id="end"/>
  ${chain(['start', 'review', 'end'])}
`);

describe('user task', () => {
  it('creates the task with resolved assignment and waits until it is completed', async () => {
    const h = await Harness.of(xml);
    h.start({ owner: 'alice', extraGroups: ['managers', 'auditors'], dueIn: 'P2D' });
    expect(h.active()).toEqual(['review']);
    const [task] = h.effectsOf('createUserTask');
    expect(task).toMatchObject({
      elementId: 'review',
      name: 'Review invoice',
      assignee: 'alice',
      candidateUsers: ['bob', 'carol'],
      dueAt: '2026-01-07T09:00:00.000Z',
      followUpAt: '2026-02-01T10:00:00.000Z',
      priority: 70,
      formId: 'review-form',
      headers: { template: 'review-mail' },
    });
    expect(task.candidateGroups).toEqual(expect.arrayContaining(['accounting', 'managers', 'auditors']));
    expect(h.eventsOf('task.created')).toHaveLength(1);

    h.completeTask('review', { approved: true });
    expect(h.status).toBe('completed');
    expect(h.variables).toMatchObject({ approved: true });
    expect(h.path()).toEqual(['start', 'review', 'end']);
    expect(h.effectsOf('instanceEnded', h.last.effects)).toEqual([{ type: 'instanceEnded', status: 'completed' }]);
  });

  it('defaults priority to 50 and leaves assignment empty when the model has none', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`));
    h.start();
    const [task] = h.effectsOf('createUserTask');
    expect(task).toMatchObject({ priority: 50, candidateGroups: [], candidateUsers: [] });
    expect(task.assignee).toBeUndefined();
  });

  it('a priority beyond a 32-bit integer is an incident, not a failed start', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements><zeebe:priorityDefinition priority="= p"/></bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`));
    h.start({ p: 99999999999 });
    expect(h.effectsOf('createUserTask')).toHaveLength(0);
    expect(h.incidents().map((incident) => incident.message)).toEqual([expect.stringContaining('99999999999 is out of range')]);
  });

  it('an assignee expression that fails becomes an incident; retry after setVariables creates the task', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="= groups"/></bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`),
    );
    h.start({ groups: { not: 'a list' } });
    expect(h.incidents()).toHaveLength(1);
    expect(h.effectsOf('createUserTask')).toHaveLength(0);
    h.run({ type: 'setVariables', variables: { groups: ['a'] } });
    h.retryIncident('t');
    expect(h.incidents()).toHaveLength(0);
    expect(h.effectsOf('createUserTask')[0].candidateGroups).toEqual(['a']);
  });
});

describe('user task deadlines (notification headers)', () => {
  const withHeaders = (headers: Record<string, string>, schedule = '') =>
    zeebe(`<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements>
      <zeebe:assignmentDefinition candidateGroups="reviewers"/>${schedule}
      <zeebe:taskHeaders>${Object.entries(headers).map(([key, value]) => `<zeebe:header key="${key}" value="${value}"/>`).join('')}</zeebe:taskHeaders>
    </bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`);
  const deadlinesOf = async (xml: string, variables: Record<string, unknown> = {}) => {
    const h = await Harness.of(xml);
    h.start(variables);
    const [task] = h.effectsOf('createUserTask');
    return (task!.deadlines ?? []).map(({ key, ...rest }) => ({ keyed: typeof key === 'string' && key !== '', ...rest }));
  };

  it('resolves remindAfter, remindEvery and escalateAfter + escalateTo from now', async () => {
    expect(await deadlinesOf(withHeaders({ remindAfter: 'PT4H', remindEvery: 'P1D', escalateAfter: 'P2D', escalateTo: 'supervisors' }))).toEqual([
      { keyed: true, kind: 'reminder', dueAt: '2026-01-05T13:00:00.000Z', every: 'P1D' },
      { keyed: true, kind: 'escalation', dueAt: '2026-01-07T09:00:00.000Z', escalateTo: 'supervisors' },
    ]);
  });

  it('evaluates expression headers against the task scope', async () => {
    expect(await deadlinesOf(withHeaders({ escalateAfter: '=slaTime', escalateTo: '=team + &quot;-leads&quot;' }), { slaTime: 'PT30M', team: 'sales' })).toEqual([
      { keyed: true, kind: 'escalation', dueAt: '2026-01-05T09:30:00.000Z', escalateTo: 'sales-leads' },
    ]);
  });

  it('a due date alone gives one overdue notice; with remindEvery the reminders start at the due date', async () => {
    const due = '<zeebe:taskSchedule dueDate="2026-01-06T12:00:00Z"/>';
    expect(await deadlinesOf(withHeaders({}, due))).toEqual([{ keyed: true, kind: 'overdue', dueAt: '2026-01-06T12:00:00.000Z' }]);
    expect(await deadlinesOf(withHeaders({ remindEvery: 'PT1H' }, due))).toEqual([{ keyed: true, kind: 'overdue', dueAt: '2026-01-06T12:00:00.000Z', every: 'PT1H' }]);
    // remindAfter comes first, and the due date still gets its overdue notice.
    expect(await deadlinesOf(withHeaders({ remindAfter: 'PT1H' }, due))).toEqual([
      { keyed: true, kind: 'reminder', dueAt: '2026-01-05T10:00:00.000Z' },
      { keyed: true, kind: 'overdue', dueAt: '2026-01-06T12:00:00.000Z' },
    ]);
  });

  it('remindEvery alone starts one interval after creation; no headers, no deadlines', async () => {
    expect(await deadlinesOf(withHeaders({ remindEvery: 'PT2H' }))).toEqual([{ keyed: true, kind: 'reminder', dueAt: '2026-01-05T11:00:00.000Z', every: 'PT2H' }]);
    expect(await deadlinesOf(withHeaders({}))).toEqual([]);
  });

  it('a header expression that gives no duration becomes an incident, not a task without its deadline', async () => {
    const h = await Harness.of(withHeaders({ remindAfter: '=wait' }));
    h.start({ wait: 'soon' });
    expect(h.effectsOf('createUserTask')).toHaveLength(0);
    expect(h.incidents().map((incident) => incident.message)).toEqual([expect.stringContaining("header 'remindAfter' of 't': 'soon' is not an ISO-8601 duration")]);
  });

  it('a template header hands the creation mail the variables in scope', async () => {
    const h = await Harness.of(withHeaders({ template: 'late-delivery', to: '=customerEmail' }));
    h.start({ customerEmail: 'c@example.com', orderId: 'A-1' });
    const [task] = h.effectsOf('createUserTask');
    expect(task!.mailVariables).toEqual({ customerEmail: 'c@example.com', orderId: 'A-1' });
  });
});
