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
