import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The runtime on the real database: every command one transaction that locks the instance.
// Wait states are completed through the CommandExecutor (workers and the worklist API come later).

const PARALLEL_JOIN = definitions(`
  <bpmn:process id="three_branches" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="b" />
    <bpmn:sequenceFlow id="fc" sourceRef="fork" targetRef="c" />
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="c"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="ja" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="jb" sourceRef="b" targetRef="join" />
    <bpmn:sequenceFlow id="jc" sourceRef="c" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="after" />
    <bpmn:userTask id="after" name="After the join" />
    <bpmn:sequenceFlow id="f10" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const INCLUSIVE = definitions(`
  <bpmn:process id="inclusive" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:inclusiveGateway id="split" />
    <bpmn:sequenceFlow id="toA" sourceRef="split" targetRef="a"><bpmn:conditionExpression>= amount &gt; 10</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toB" sourceRef="split" targetRef="b"><bpmn:conditionExpression>= amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toC" sourceRef="split" targetRef="c"><bpmn:conditionExpression>= amount &gt; 1000</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="a" />
    <bpmn:userTask id="b" />
    <bpmn:userTask id="c" />
    <bpmn:sequenceFlow id="ja" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="jb" sourceRef="b" targetRef="join" />
    <bpmn:sequenceFlow id="jc" sourceRef="c" targetRef="join" />
    <bpmn:inclusiveGateway id="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const CHILD = definitions(`
  <bpmn:process id="child" isExecutable="true">
    <bpmn:startEvent id="child_start" />
    <bpmn:sequenceFlow id="c1" sourceRef="child_start" targetRef="child_work" />
    <bpmn:serviceTask id="child_work"><bpmn:extensionElements><zeebe:taskDefinition type="child-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="c2" sourceRef="child_work" targetRef="child_end" />
    <bpmn:endEvent id="child_end" />
  </bpmn:process>`);

const PARENT = definitions(`
  <bpmn:error id="Err" errorCode="child-broke" />
  <bpmn:process id="parent" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="p1" sourceRef="start" targetRef="call" />
    <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" /></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:boundaryEvent id="caught" attachedToRef="call"><bpmn:errorEventDefinition errorRef="Err" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="p3" sourceRef="caught" targetRef="handle" />
    <bpmn:userTask id="handle" name="Handle the broken child" />
    <bpmn:sequenceFlow id="p4" sourceRef="handle" targetRef="handled" />
    <bpmn:endEvent id="handled" />
  </bpmn:process>`);

const MULTI_INSTANCE = definitions(`
  <bpmn:process id="reviews" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:output source="= verdict" target="verdictOut" /></zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="= reviewers" inputElement="reviewer" outputCollection="verdicts" outputElement="= verdictOut" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

describe('runtime on PostgreSQL', () => {
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
        { name: 'join.bpmn', xml: PARALLEL_JOIN },
        { name: 'inclusive.bpmn', xml: INCLUSIVE },
        { name: 'child.bpmn', xml: CHILD },
        { name: 'parent.bpmn', xml: PARENT },
        { name: 'mi.bpmn', xml: MULTI_INSTANCE },
      ]),
    });
    expect(deployed.status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const start = async (key: string, variables: Record<string, unknown> = {}) => {
    const response = await http('POST', `${t.url}/api/process-definitions/${key}/start`, { token: admin, json: { variables } });
    expect(response.status).toBe(201);
    return response.body as { id: string; state: string };
  };
  const instance = async (id: string) => (await http('GET', `${t.url}/api/process-instances/${id}`, { token: admin })).body;

  it('joins three branches completed concurrently, 200 times: no lost token, no double join', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await start('three_branches')).id);
    const jobs = await Promise.all(ids.map((id) => db.pendingJobs(id)));
    expect(jobs.every((list) => list.length === 3)).toBe(true);
    // The three completions of each instance race each other; instances go in waves of 20 (60
    // racing transactions) so the test measures the join, not the connection pool's queue.
    const outcomes: string[] = [];
    for (let wave = 0; wave < 200; wave += 20) {
      const racing = ids.slice(wave, wave + 20).flatMap((id, i) => jobs[wave + i]!.map((job) => executor.execute(id, { type: 'completeJob', jobKey: job.key, variables: {} })));
      outcomes.push(...(await Promise.all(racing)));
    }
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(600);
    const joined = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM history_event WHERE type = 'element.entered' AND element_id = 'after' AND process_instance_id = ANY($1::uuid[]) GROUP BY process_instance_id`,
      [ids],
    );
    expect(joined).toHaveLength(200);
    expect(joined.every((row) => row.n === 1)).toBe(true);
    const tasks = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM user_task WHERE state = 'open' AND process_instance_id = ANY($1::uuid[])`, [ids]);
    expect(tasks[0]!.n).toBe(200);
  });

  it('waits at an inclusive join only for the branches that were taken', async () => {
    const { id } = await start('inclusive', { amount: 500 });
    const tasks = await db.openTasks(id);
    expect(tasks.map((task) => task.elementId)).toEqual(['a', 'b']);
    await executor.execute(id, { type: 'completeUserTask', taskId: tasks[0]!.id, variables: {} });
    expect((await instance(id)).state).toBe('active');
    await executor.execute(id, { type: 'completeUserTask', taskId: tasks[1]!.id, variables: {} });
    expect((await instance(id)).state).toBe('completed');
  });

  it('propagates a BPMN error a child instance did not catch to the call activity boundary', async () => {
    const { id } = await start('parent', { orderId: 'A-1' });
    const [child] = await db.rows<{ id: string }>('SELECT id FROM process_instance WHERE parent_instance_id = $1', [id]);
    expect(child).toBeDefined();
    const childJobs = await db.pendingJobs(child!.id);
    expect(childJobs).toEqual([expect.objectContaining({ elementId: 'child_work', type: 'child-work', variables: expect.objectContaining({ orderId: 'A-1' }) })]);
    // 'ada' started the parent: without her admin role she may read it, but not the child her start happened to create.
    const plainAda = await t.token('ada', []);
    expect((await http('GET', `${t.url}/api/process-instances/${id}`, { token: plainAda })).status).toBe(200);
    expect((await http('GET', `${t.url}/api/process-instances/${child!.id}`, { token: plainAda })).status).toBe(403);
    await executor.execute(child!.id, { type: 'throwError', jobKey: childJobs[0]!.key, code: 'child-broke', message: 'no stock' });
    const parent = await instance(id);
    expect(parent.state).toBe('active');
    expect(parent.activeElements.map((e: { elementId: string }) => e.elementId)).toEqual(['handle']);
    expect((await instance(child!.id)).state).not.toBe('active');
    const history = (await http('GET', `${t.url}/api/process-instances/${id}/history`, { token: admin })).body.items;
    expect(history.map((e: { type: string; elementId?: string }) => `${e.type}:${e.elementId ?? ''}`)).toEqual(
      expect.arrayContaining(['instance.started:', 'element.entered:call', 'element.entered:caught', 'element.entered:handle']),
    );
  });

  it('a call activity whose process is not deployed raises an incident; deploy + retry starts the child', async () => {
    const caller = definitions(`
      <bpmn:process id="calls_later" isExecutable="true">
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
        <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="deployed_later" /></bpmn:extensionElements></bpmn:callActivity>
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="done" />
        <bpmn:endEvent id="done" />
      </bpmn:process>`);
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: modelForm([{ name: 'caller.bpmn', xml: caller }]) })).status).toBe(201);
    const { id, state } = await start('calls_later');
    expect(state).toBe('incident');
    const incidents = (await http('GET', `${t.url}/api/incidents?processInstanceId=${id}`, { token: admin })).body;
    const list = (Array.isArray(incidents) ? incidents : incidents.items) as { id: string; elementId: string; message: string }[];
    expect(list.map((incident) => [incident.elementId, incident.message])).toEqual([['call', "Call activity 'call': no deployed process 'deployed_later' (latest binding)"]]);

    const later = definitions(`<bpmn:process id="deployed_later" isExecutable="true"><bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" /></bpmn:process>`);
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: modelForm([{ name: 'later.bpmn', xml: later }]) })).status).toBe(201);
    expect((await http('POST', `${t.url}/api/incidents/${list[0]!.id}/retry`, { token: admin, json: {} })).status).toBe(200);
    expect((await instance(id)).state).toBe('completed');
  });

  it('a child that completes while its parent is suspended is not lost: the parent moves on when resumed', async () => {
    const { id } = await start('parent', { orderId: 'A-2' });
    const [child] = await db.rows<{ id: string }>('SELECT id FROM process_instance WHERE parent_instance_id = $1', [id]);
    expect((await http('POST', `${t.url}/api/process-instances/${id}/suspend`, { token: admin })).status).toBe(200);
    const [job] = await db.pendingJobs(child!.id);
    expect(await executor.execute(child!.id, { type: 'completeJob', jobKey: job!.key, variables: { packed: true } })).toBe('applied');
    expect((await instance(child!.id)).state).toBe('completed');
    expect(await instance(id)).toMatchObject({ state: 'suspended', activeElements: [expect.objectContaining({ elementId: 'call' })] });

    expect((await http('POST', `${t.url}/api/process-instances/${id}/resume`, { token: admin })).status).toBe(200);
    expect(await instance(id)).toMatchObject({ state: 'completed', variables: expect.objectContaining({ packed: true }) });
  });

  it('runs a multi-instance user task over 50 reviewers and collects their verdicts in order', async () => {
    const reviewers = Array.from({ length: 50 }, (_, i) => `reviewer-${i + 1}`);
    const { id } = await start('reviews', { reviewers });
    const tasks = await db.openTasks(id);
    expect(tasks).toHaveLength(50);
    const reviewerOf = new Map<string, unknown>();
    for (const task of tasks) reviewerOf.set(task.id, (await db.localVariables(id, task.elementInstanceId)).reviewer);
    expect([...reviewerOf.values()].sort()).toEqual([...reviewers].sort());
    // Completed in an order unrelated to the collection: the output collection still follows it.
    for (const task of [...tasks].sort((a, b) => a.id.localeCompare(b.id))) {
      await executor.execute(id, { type: 'completeUserTask', taskId: task.id, variables: { verdict: `ok from ${reviewerOf.get(task.id)}` } });
    }
    const done = await instance(id);
    expect(done.state).toBe('completed');
    expect(done.variables.verdicts).toEqual(reviewers.map((reviewer) => `ok from ${reviewer}`));
  });
});
