import { readFile } from 'node:fs/promises';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The process-instance API over real HTTP and PostgreSQL. Wait states are completed through the
// runtime (the worklist API and BullMQ workers come with their own milestones).

const zeebeJob = (type: string) => `<bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements>`;

const TOUR = definitions(`
  <bpmn:message id="Msg" name="go-on"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="tour" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score" />
    <bpmn:scriptTask id="score"><bpmn:extensionElements><zeebe:script expression="= amount * 2" resultVariable="doubled" /></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="route" />
    <bpmn:exclusiveGateway id="route" default="toManual" />
    <bpmn:sequenceFlow id="toBig" sourceRef="route" targetRef="sub"><bpmn:conditionExpression>= doubled &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toManual" sourceRef="route" targetRef="manual" />
    <bpmn:manualTask id="manual" />
    <bpmn:sequenceFlow id="f3" sourceRef="manual" targetRef="endSmall" />
    <bpmn:endEvent id="endSmall" />
    <bpmn:subProcess id="sub">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="= orderId" target="localOrder" /></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:startEvent id="subStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="subStart" targetRef="fork" />
      <bpmn:parallelGateway id="fork" />
      <bpmn:sequenceFlow id="s2" sourceRef="fork" targetRef="ship" />
      <bpmn:sequenceFlow id="s3" sourceRef="fork" targetRef="approve" />
      <bpmn:serviceTask id="ship">${zeebeJob('ship')}</bpmn:serviceTask>
      <bpmn:userTask id="approve" name="Approve" />
      <bpmn:sequenceFlow id="s4" sourceRef="ship" targetRef="join" />
      <bpmn:sequenceFlow id="s5" sourceRef="approve" targetRef="join" />
      <bpmn:parallelGateway id="join" />
      <bpmn:sequenceFlow id="s6" sourceRef="join" targetRef="wait" />
      <bpmn:receiveTask id="wait" messageRef="Msg" />
      <bpmn:sequenceFlow id="s7" sourceRef="wait" targetRef="note" />
      <bpmn:intermediateThrowEvent id="note" />
      <bpmn:sequenceFlow id="s8" sourceRef="note" targetRef="subEnd" />
      <bpmn:endEvent id="subEnd" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f4" sourceRef="sub" targetRef="endBig" />
    <bpmn:endEvent id="endBig" />
  </bpmn:process>`);

const BAD_CONDITION = definitions(`
  <bpmn:process id="bad_condition" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route" />
    <bpmn:exclusiveGateway id="route" />
    <bpmn:sequenceFlow id="yes" sourceRef="route" targetRef="done"><bpmn:conditionExpression>= approved</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="route" targetRef="rejected"><bpmn:conditionExpression>= approved = false</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="done" />
    <bpmn:endEvent id="rejected" />
  </bpmn:process>`);

const WAITING = definitions(`
  <bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work">${zeebeJob('slow-work')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

describe('process instances over HTTP', () => {
  let t: TestApp;
  let db: TestDb;
  let executor: CommandExecutor;
  let admin: string;
  let integrator: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    executor = t.app.get(CommandExecutor);
    admin = await t.token('ada', ['admin']);
    integrator = await t.token('ivan', ['integrator']);
    const files = [
      { name: 'tour.bpmn', xml: TOUR },
      { name: 'bad.bpmn', xml: BAD_CONDITION },
      { name: 'waiting.bpmn', xml: WAITING },
      { name: 'invoice-approval.bpmn', xml: await readFile('processes/invoice-approval.bpmn', 'utf8') },
    ];
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: modelForm(files) })).status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const api = (method: string, path: string, json?: unknown, token = integrator) => http(method, `${t.url}/api${path}`, { token, json });

  it('runs start → script → gateway → subprocess (job, task, message) → completed, with the audit trail', async () => {
    const started = await api('POST', '/process-definitions/tour/start', { businessKey: 'order-7', variables: { amount: 80, orderId: 'o-7' } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ definitionKey: 'tour', definitionVersion: 1, businessKey: 'order-7', state: 'active', variables: { amount: 80, orderId: 'o-7', doubled: 160 } });
    expect(new Date(started.body.startedAt).toISOString()).toBe(started.body.startedAt);
    const id = started.body.id;

    const detail = await api('GET', `/process-instances/${id}`);
    expect(detail.body.activeElements.map((e: { elementId: string }) => e.elementId).sort()).toEqual(['approve', 'ship', 'sub']);
    expect(detail.body.activeElements[0]).toEqual({ elementId: expect.any(String), type: expect.any(String), since: expect.any(String) });

    const [job] = await db.pendingJobs(id);
    expect(job).toMatchObject({ elementId: 'ship', type: 'ship', variables: expect.objectContaining({ localOrder: 'o-7', amount: 80 }) });
    await executor.execute(id, { type: 'completeJob', jobKey: job!.key, variables: { trackingId: 'T-1' } });
    const [task] = await db.openTasks(id);
    // No assignment rule at all: offered to DEFAULT_TASK_GROUP.
    expect(task).toMatchObject({ elementId: 'approve', candidateGroups: ['admin'], assignee: null });
    await executor.execute(id, { type: 'completeUserTask', taskId: task!.id, variables: { approvedBy: 'sam' } }, 'sam');

    const [subscription] = await db.rows(`SELECT key, name, correlation_key AS "correlationKey" FROM subscription WHERE process_instance_id = $1 AND state = 'open'`, [id]);
    expect(subscription).toMatchObject({ name: 'go-on', correlationKey: 'o-7' });
    await executor.execute(id, { type: 'deliverMessage', subscriptionKey: subscription!.key, variables: { confirmed: true } });

    const done = await api('GET', `/process-instances/${id}`);
    expect(done.body).toMatchObject({ state: 'completed', activeElements: [], variables: expect.objectContaining({ trackingId: 'T-1', approvedBy: 'sam', confirmed: true }) });
    expect(done.body.endedAt).toEqual(expect.any(String));

    const history = (await api('GET', `/process-instances/${id}/history`)).body.items as { type: string; elementId?: string; actor?: string; at: string }[];
    const types = history.map((e) => e.type);
    expect(types[0]).toBe('instance.started');
    expect(types[types.length - 1]).toBe('instance.completed');
    for (const expected of ['job.dispatched', 'job.completed', 'task.created', 'task.completed', 'message.correlated']) expect(types).toContain(expected);
    expect(history.find((e) => e.type === 'task.completed')).toMatchObject({ elementId: 'approve', actor: 'sam' });
    expect([...history].map((e) => e.at)).toEqual([...history].map((e) => e.at).sort());

    const diagram = await api('GET', `/process-instances/${id}/diagram`);
    expect(diagram.body.xml).toContain('id="tour"');
    expect(diagram.body.activeElementIds).toEqual([]);
    expect(diagram.body.completedElementIds).toEqual(expect.arrayContaining(['start', 'score', 'route', 'sub', 'ship', 'approve', 'wait', 'endBig']));
    expect(diagram.body.completedElementIds).not.toContain('manual');
  });

  it('takes the default flow when no condition holds', async () => {
    const started = await api('POST', '/process-definitions/tour/start', { variables: { amount: 3 } });
    expect(started.body.state).toBe('completed');
  });

  it('turns a non-boolean condition into an incident that variables + retry resolve', async () => {
    const started = await api('POST', '/process-definitions/bad_condition/start', { variables: { approved: 'yes' } });
    expect(started.body.state).toBe('incident');
    const incidents = await api('GET', `/incidents?processInstanceId=${started.body.id}&state=open`);
    expect(incidents.body).toMatchObject({ total: 1, items: [{ elementId: 'route', type: 'expression', state: 'open', processInstanceId: started.body.id }] });
    expect(incidents.body.items[0].message).toMatch(/boolean/);

    const patched = await api('PATCH', `/process-instances/${started.body.id}/variables`, { variables: { approved: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.variables.approved).toBe(true);
    const retried = await api('POST', `/incidents/${incidents.body.items[0].id}/retry`, {});
    expect(retried.status).toBe(200);
    expect(retried.body.state).toBe('resolved');
    expect((await api('GET', `/process-instances/${started.body.id}`)).body.state).toBe('completed');
    expect((await api('POST', `/incidents/${incidents.body.items[0].id}/retry`, {})).status).toBe(409);
  });

  it('suspends, resumes and cancels; a canceled instance withdraws its job and refuses more', async () => {
    const { body } = await api('POST', '/process-definitions/waiting/start', {});
    expect((await api('POST', `/process-instances/${body.id}/suspend`)).body.state).toBe('suspended');
    const [job] = await db.pendingJobs(body.id);
    await expect(executor.execute(body.id, { type: 'completeJob', jobKey: job!.key, variables: {} })).rejects.toMatchObject({ code: 'conflict' });
    expect((await api('POST', `/process-instances/${body.id}/resume`)).body.state).toBe('active');
    const canceled = await api('POST', `/process-instances/${body.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe('canceled');
    expect(await db.pendingJobs(body.id)).toEqual([]);
    expect((await api('POST', `/process-instances/${body.id}/cancel`)).status).toBe(409);
    // The worker's late answer changes nothing.
    expect(await executor.execute(body.id, { type: 'completeJob', jobKey: job!.key, variables: {} }).catch((e) => e.code)).toMatch(/stale|conflict/);
    const types = (await api('GET', `/process-instances/${body.id}/history`)).body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['instance.suspended', 'instance.resumed', 'instance.canceled']));
  });

  it('runs the Camunda 7 invoice model: JUEL conditions, candidate groups from variables, external task', async () => {
    const accountant = await t.token('alice', ['accounting']);
    const started = await api('POST', '/process-definitions/invoice-approval/start', { businessKey: 'INV-1', variables: { creditor: 'ACME', amount: 420, invoiceCategory: 'misc', invoiceNumber: 'I-1' } }, accountant);
    expect(started.status).toBe(201);
    const id = started.body.id;
    let [task] = await db.openTasks(id);
    expect(task).toMatchObject({ elementId: 'Task_AssignApprover', candidateGroups: ['accounting'] });
    await executor.execute(id, { type: 'completeUserTask', taskId: task!.id, variables: { approverGroup: 'management' } }, 'alice');
    [task] = await db.openTasks(id);
    expect(task).toMatchObject({ elementId: 'Task_ApproveInvoice', candidateGroups: ['management'] });
    await executor.execute(id, { type: 'completeUserTask', taskId: task!.id, variables: { approved: true } }, 'mona');
    const [job] = await db.pendingJobs(id);
    expect(job).toMatchObject({ type: 'archive-invoice', variables: expect.objectContaining({ creditor: 'ACME', approved: true }) });
    await executor.execute(id, { type: 'completeJob', jobKey: job!.key, variables: { archiveId: 'A-9' } });
    expect((await api('GET', `/process-instances/${id}`)).body).toMatchObject({ state: 'completed', variables: expect.objectContaining({ archiveId: 'A-9' }) });

    // Who may read it: its starter, people who had a task in it, not others (integrators read all).
    for (const [user, groups, status] of [
      ['alice', ['accounting'], 200],
      ['mona', ['management'], 200],
      ['otto', ['sales'], 403],
      ['ivan', ['integrator'], 200],
    ] as const) {
      const token = await t.token(user, [...groups]);
      for (const path of ['', '/history', '/diagram']) expect([user, path, (await api('GET', `/process-instances/${id}${path}`, undefined, token)).status]).toEqual([user, path, status]);
    }
  });

  it('checks who may start, and validates input', async () => {
    const staff = await t.token('sam', ['sales']);
    expect((await api('POST', '/process-definitions/invoice-approval/start', {}, staff)).status).toBe(403);
    expect((await api('POST', '/process-definitions/nope/start', {})).status).toBe(404);
    expect((await api('POST', '/process-definitions/tour/start', { version: 9 })).status).toBe(404);
    expect((await api('POST', '/process-definitions/tour/start', { variables: 'x' })).status).toBe(400);
    expect((await api('POST', '/process-definitions/tour/start', { unknown: 1 })).status).toBe(400);
    expect((await http('POST', `${t.url}/api/process-definitions/tour/start`, { json: {} })).status).toBe(401);
    expect((await api('GET', '/process-instances/not-a-uuid')).status).toBe(404);
    expect((await api('GET', '/process-instances/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('GET', '/process-instances', undefined, staff)).status).toBe(403);
  });

  it('answers 400, never 500, for values the database cannot store or a body too deep to read', async () => {
    const nul = await api('POST', '/process-definitions/tour/start', { variables: { note: 'a\u0000b' } });
    expect(nul.status).toBe(400);
    expect(nul.body.message).toMatch(/cannot be stored/);
    expect((await api('POST', '/process-definitions/tour/start', { businessKey: 'x\u0000' })).status).toBe(400);
    // A version beyond 32 bits names no version.
    expect((await api('POST', '/process-definitions/tour/start', { version: 99999999999 })).status).toBe(404);
    expect((await api('GET', '/process-instances?businessKey=%00')).status).toBe(400);
    const deep = `{"variables":{"deep":${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
    const tooDeep = await http('POST', `${t.url}/api/process-definitions/tour/start`, { token: admin, body: deep, headers: { 'content-type': 'application/json' } });
    expect(tooDeep.status).toBe(400);
    // Nothing of it was started.
    expect((await api('GET', '/process-instances?businessKey=x')).body.total).toBe(0);
  });

  it('lists instances with filters and paging', async () => {
    await api('POST', '/process-definitions/waiting/start', { businessKey: 'list-me' });
    const byKey = await api('GET', '/process-instances?businessKey=list-me');
    expect(byKey.body).toMatchObject({ total: 1, page: 1, size: 50, items: [{ businessKey: 'list-me', definitionKey: 'waiting', state: 'active' }] });
    const completed = await api('GET', '/process-instances?definitionKey=tour&state=completed&size=1');
    expect(completed.body.items).toHaveLength(1);
    expect(completed.body.total).toBeGreaterThanOrEqual(2);
    expect((await api('GET', '/process-instances?state=sleeping')).status).toBe(400);
  });
});
