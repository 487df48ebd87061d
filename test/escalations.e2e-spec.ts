import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Escalations across call activities on the real runtime (PostgreSQL, follow-up commands in one
// transaction): a child's escalation caught by a boundary on the parent's call activity.

const ESCALATION = '<bpmn:escalation id="Late" escalationCode="LATE" />';

/** The child: `work`, then an escalation throw `late`, then `finish`. */
const CHILD = definitions(`
  ${ESCALATION}
  <bpmn:process id="esc_child" isExecutable="true">
    <bpmn:startEvent id="child_start" />
    <bpmn:sequenceFlow id="c1" sourceRef="child_start" targetRef="work" />
    <bpmn:userTask id="work" name="Work" />
    <bpmn:sequenceFlow id="c2" sourceRef="work" targetRef="late" />
    <bpmn:intermediateThrowEvent id="late"><bpmn:escalationEventDefinition escalationRef="Late" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="c3" sourceRef="late" targetRef="finish" />
    <bpmn:userTask id="finish" name="Finish" />
    <bpmn:sequenceFlow id="c4" sourceRef="finish" targetRef="child_end" />
    <bpmn:endEvent id="child_end" />
  </bpmn:process>`);

/** The child: `work`, then an escalation end event. */
const CHILD_END = definitions(`
  ${ESCALATION}
  <bpmn:process id="esc_child_end" isExecutable="true">
    <bpmn:startEvent id="child_start" />
    <bpmn:sequenceFlow id="c1" sourceRef="child_start" targetRef="work" />
    <bpmn:userTask id="work" name="Work" />
    <bpmn:sequenceFlow id="c2" sourceRef="work" targetRef="late_end" />
    <bpmn:endEvent id="late_end"><bpmn:escalationEventDefinition escalationRef="Late" /></bpmn:endEvent>
  </bpmn:process>`);

/** Calls `childKey`; an escalation boundary `catch` on the call activity leads to user task `expedite`. */
const parent = (id: string, interrupting: boolean) =>
  definitions(`
  ${ESCALATION}
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="p1" sourceRef="start" targetRef="call" />
    <bpmn:callActivity id="call">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="= childKey" />
        <zeebe:ioMapping><zeebe:output source="= reason" target="lateReason" /></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:boundaryEvent id="catch" attachedToRef="call" cancelActivity="${interrupting}"><bpmn:escalationEventDefinition escalationRef="Late" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="p3" sourceRef="catch" targetRef="expedite" />
    <bpmn:userTask id="expedite" name="Expedite" />
    <bpmn:sequenceFlow id="p4" sourceRef="expedite" targetRef="expedited" />
    <bpmn:endEvent id="expedited" />
  </bpmn:process>`);

interface HistoryItem {
  type: string;
  elementId?: string;
  data?: Record<string, unknown>;
}

describe('escalations across call activities (real runtime)', () => {
  let t: TestApp;
  let db: TestDb;
  let executor: CommandExecutor;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    executor = t.app.get(CommandExecutor);
    admin = await t.token('ada', ['admin']);
    const deployed = await http('POST', `${t.url}/api/deployments`, {
      token: admin,
      body: modelForm([
        { name: 'child.bpmn', xml: CHILD },
        { name: 'child-end.bpmn', xml: CHILD_END },
        { name: 'soft.bpmn', xml: parent('esc_parent_soft', false) },
        { name: 'hard.bpmn', xml: parent('esc_parent_hard', true) },
      ]),
    });
    expect(deployed.status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const api = async (method: string, path: string, json?: unknown) => http(method, `${t.url}/api${path}`, { token: admin, json });
  const instance = async (id: string) => (await api('GET', `/process-instances/${id}`)).body;
  const active = async (id: string): Promise<string[]> => (await instance(id)).activeElements.map((e: { elementId: string }) => e.elementId).sort();
  const history = async (id: string): Promise<HistoryItem[]> => (await api('GET', `/process-instances/${id}/history`)).body.items;
  const openTaskIds = async (id: string): Promise<string[]> => (await db.openTasks(id)).map((task) => task.elementId);
  const completeTask = async (instanceId: string, elementId: string, variables: Record<string, unknown> = {}) => {
    const task = (await db.openTasks(instanceId)).find((row) => row.elementId === elementId);
    expect(task).toBeDefined();
    // No actor: the worklist's holder rules are not what this file tests.
    expect(await executor.execute(instanceId, { type: 'completeUserTask', taskId: task!.id, variables })).toBe('applied');
  };
  /** Starts `key` with the child `childKey`; returns the parent's and the child's ids. */
  const startParent = async (key: string, childKey: string): Promise<{ parentId: string; childId: string }> => {
    const started = await api('POST', `/process-definitions/${key}/start`, { variables: { childKey } });
    expect(started.status).toBe(201);
    const children = await db.rows<{ id: string }>('SELECT id FROM process_instance WHERE parent_instance_id = $1', [started.body.id]);
    expect(children).toHaveLength(1);
    return { parentId: started.body.id, childId: children[0]!.id };
  };

  it('non-interrupting boundary on the call activity: the parent gets a task on the boundary path, the child goes on, then completes', async () => {
    const { parentId, childId } = await startParent('esc_parent_soft', 'esc_child');
    await completeTask(childId, 'work', { reason: 'supplier late' });

    // The parent: a token on the boundary path, the call activity still waiting for its child.
    expect(await active(parentId)).toEqual(['call', 'expedite']);
    expect(await openTaskIds(parentId)).toEqual(['expedite']);
    // The catch got the call activity's output mapping of the child's variables.
    expect((await instance(parentId)).variables).toMatchObject({ lateReason: 'supplier late' });
    // The child: past its throw event, still running.
    expect(await instance(childId)).toMatchObject({ state: 'active' });
    expect(await openTaskIds(childId)).toEqual(['finish']);

    const parentHistory = await history(parentId);
    expect(parentHistory.filter((e) => e.type === 'escalation.thrown')).toEqual([
      expect.objectContaining({ elementId: 'call', data: { code: 'LATE', fromChild: childId, caughtBy: 'catch' } }),
    ]);
    expect(parentHistory.filter((e) => e.type === 'element.terminated')).toEqual([]);
    const childHistory = await history(childId);
    expect(childHistory.filter((e) => e.type === 'escalation.thrown')).toEqual([expect.objectContaining({ elementId: 'late', data: { code: 'LATE', toParent: true } })]);
    expect(childHistory.some((e) => e.type === 'element.left' && e.elementId === 'late')).toBe(true);

    await completeTask(childId, 'finish');
    expect(await instance(childId)).toMatchObject({ state: 'completed' });
    expect(await active(parentId)).toEqual(['expedite']);
    await completeTask(parentId, 'expedite');
    expect(await instance(parentId)).toMatchObject({ state: 'completed' });
    expect((await history(parentId)).some((e) => e.type === 'element.left' && e.elementId === 'call')).toBe(true);
  });

  it('interrupting boundary on the call activity: the child is canceled at its throw event, the parent takes the boundary path', async () => {
    const { parentId, childId } = await startParent('esc_parent_hard', 'esc_child');
    await completeTask(childId, 'work', { reason: 'supplier late' });

    expect(await instance(childId)).toMatchObject({ state: 'canceled' });
    expect(await openTaskIds(childId)).toEqual([]);
    expect(await active(parentId)).toEqual(['expedite']);
    expect((await instance(parentId)).variables).toMatchObject({ lateReason: 'supplier late' });

    const parentHistory = await history(parentId);
    expect(parentHistory.filter((e) => e.type === 'escalation.thrown')).toEqual([
      expect.objectContaining({ elementId: 'call', data: { code: 'LATE', fromChild: childId, caughtBy: 'catch' } }),
    ]);
    expect(parentHistory.filter((e) => e.type === 'element.terminated').map((e) => e.elementId)).toEqual(['call']);
    const childHistory = await history(childId);
    expect(childHistory.filter((e) => e.type === 'escalation.thrown')).toEqual([expect.objectContaining({ elementId: 'late', data: { code: 'LATE', toParent: true } })]);
    // The throw event never completed: the child was canceled by its parent while it waited there.
    expect(childHistory.some((e) => e.type === 'element.left' && e.elementId === 'late')).toBe(false);
    expect(childHistory.filter((e) => e.type === 'element.terminated').map((e) => e.elementId)).toEqual(['late']);
    expect(childHistory.find((e) => e.type === 'instance.canceled')).toMatchObject({ data: { byParent: true } });
    expect(childHistory.some((e) => e.type === 'task.created' && e.elementId === 'finish')).toBe(false);

    await completeTask(parentId, 'expedite');
    expect(await instance(parentId)).toMatchObject({ state: 'completed' });
  });

  it('an escalation end event caught non-interrupting: the child completes normally, then the call activity', async () => {
    const { parentId, childId } = await startParent('esc_parent_soft', 'esc_child_end');
    await completeTask(childId, 'work');

    expect(await instance(childId)).toMatchObject({ state: 'completed' });
    expect((await history(childId)).some((e) => e.type === 'element.left' && e.elementId === 'late_end')).toBe(true);
    // Boundary token and call activity completion in the same transaction.
    expect(await active(parentId)).toEqual(['expedite']);
    const parentHistory = await history(parentId);
    expect(parentHistory.some((e) => e.type === 'element.left' && e.elementId === 'call')).toBe(true);
    expect(parentHistory.some((e) => e.type === 'element.left' && e.elementId === 'catch')).toBe(true);
  });
});
