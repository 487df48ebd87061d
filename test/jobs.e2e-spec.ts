import { readFile } from 'node:fs/promises';
import { Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { JobReconciler } from '../src/jobs/job-reconciler.js';
import { JobResults } from '../src/jobs/job-results.js';
import { startExampleWorkers } from '../src/worker/example-workers.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { type Handler, type PlainWorkers, startPlainWorkers } from './workers/plain-worker.js';
import { sleep, until } from './support/wait.js';

// Service tasks through real BullMQ and PostgreSQL. The workers are plain bullmq Workers
// (test/workers/plain-worker.ts imports nothing from src/), as a worker author writes them.

const job = (type: string, extra = '') => `<bpmn:extensionElements><zeebe:taskDefinition type="${type}" ${extra}/></bpmn:extensionElements>`;

const VARIABLES = definitions(`
  <bpmn:process id="variables" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="enrich" />
    <bpmn:serviceTask id="enrich">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="enrich" retries="5" />
        <zeebe:ioMapping><zeebe:input source="= orderId" target="order" /></zeebe:ioMapping>
        <zeebe:taskHeaders><zeebe:header key="tier" value="gold" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="enrich" targetRef="price" />
    <bpmn:serviceTask id="price">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="price" />
        <zeebe:ioMapping><zeebe:output source="= total" target="grandTotal" /></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="price" targetRef="nothing" />
    <bpmn:serviceTask id="nothing">${job('nothing')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="nothing" targetRef="review" />
    <bpmn:userTask id="review" />
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const BOUNDARY = definitions(`
  <bpmn:error id="ErrAddress" errorCode="bad-address" />
  <bpmn:process id="boundary" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:serviceTask id="check">${job('check-address')}</bpmn:serviceTask>
    <bpmn:boundaryEvent id="badAddress" attachedToRef="check"><bpmn:errorEventDefinition errorRef="ErrAddress" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="badAddress" targetRef="fix" />
    <bpmn:userTask id="fix" />
    <bpmn:sequenceFlow id="f4" sourceRef="fix" targetRef="fixed" />
    <bpmn:endEvent id="fixed" />
  </bpmn:process>`);

const EVENT_SUBPROCESS = definitions(`
  <bpmn:error id="ErrStock" errorCode="no-stock" />
  <bpmn:process id="eventsub" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reserve" />
    <bpmn:serviceTask id="reserve">${job('reserve-stock')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="reserve" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:subProcess id="onNoStock" triggeredByEvent="true">
      <bpmn:startEvent id="noStock"><bpmn:errorEventDefinition errorRef="ErrStock" /></bpmn:startEvent>
      <bpmn:sequenceFlow id="e1" sourceRef="noStock" targetRef="restock" />
      <bpmn:userTask id="restock" />
      <bpmn:sequenceFlow id="e2" sourceRef="restock" targetRef="restocked" />
      <bpmn:endEvent id="restocked" />
    </bpmn:subProcess>
  </bpmn:process>`);

const UNCAUGHT = definitions(`
  <bpmn:process id="uncaught" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="risky" />
    <bpmn:serviceTask id="risky">${job('risky')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="risky" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>`);

const FAILING = definitions(`
  <bpmn:process id="failing" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="flaky" />
    <bpmn:serviceTask id="flaky">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="flaky" retries="2" />
        <zeebe:taskHeaders><zeebe:header key="retryBackoff" value="PT0.05S" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="flaky" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>`);

const WAITING = definitions(`
  <bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="idle" />
    <bpmn:serviceTask id="idle">${job('nobody-serves-this')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="idle" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>`);

const TIMEOUT = definitions(`
  <bpmn:process id="timeout" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="slowTask" />
    <bpmn:serviceTask id="slowTask">${job('nobody-serves-this')}</bpmn:serviceTask>
    <bpmn:boundaryEvent id="tooSlow" attachedToRef="slowTask">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT0.5S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="slowTask" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="tooSlow" targetRef="escalate" />
    <bpmn:userTask id="escalate" />
  </bpmn:process>`);

const HELD = definitions(`
  <bpmn:process id="held" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="slow" />
    <bpmn:serviceTask id="slow">${job('held')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="slow" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>`);

const TWO_STEPS = definitions(`
  <bpmn:process id="two_steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:serviceTask id="first">${job('step-one')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:serviceTask id="second">${job('step-two')}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);


describe('service tasks on BullMQ', () => {
  let t: TestApp;
  let db: TestDb;
  let redis: Redis;
  let workers: PlainWorkers;
  let integrator: string;
  const handlers = new Map<string, Handler>();
  let gate: (() => void) | null = null;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    redis = new Redis(t.config.redisUrl, { maxRetriesPerRequest: null });
    integrator = await t.token('ivan', ['integrator', 'modeler']);
    const files = [VARIABLES, BOUNDARY, EVENT_SUBPROCESS, UNCAUGHT, FAILING, WAITING, TIMEOUT, HELD, TWO_STEPS].map((xml, i) => ({ name: `m${i}.bpmn`, xml }));
    const deployed = await http('POST', `${t.url}/api/deployments`, { token: integrator, body: modelForm(files) });
    expect(deployed.status === 201 ? 201 : deployed.text).toBe(201);
    const types = ['enrich', 'price', 'nothing', 'check-address', 'reserve-stock', 'risky', 'flaky', 'held', 'step-one', 'step-two'];
    workers = await startPlainWorkers(
      { redisUrl: t.config.redisUrl, prefix: t.config.bullmqPrefix },
      Object.fromEntries(types.map((type) => [type, (j) => handlers.get(type)!(j)])),
    );
  }, 60_000);
  afterAll(async () => {
    await workers?.close();
    await db.close();
    await t.close();
    // Our prefix's keys go with the test, as the database does.
    await redis.eval(`for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end`, 0, `${t.config.bullmqPrefix}:*`);
    await redis.quit();
  }, 60_000);

  const api = (method: string, path: string, json?: unknown) => http(method, `${t.url}/api${path}`, { token: integrator, json });
  const start = async (key: string, variables: Record<string, unknown> = {}, businessKey?: string) => {
    const started = await api('POST', `/process-definitions/${key}/start`, { variables, businessKey });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const instance = async (id: string) => (await api('GET', `/process-instances/${id}`)).body;
  const atElement = (id: string, elementId: string) =>
    until(`${id} at ${elementId}`, async () => {
      const body = await instance(id);
      return body.activeElements.some((e: { elementId: string }) => e.elementId === elementId) ? body : null;
    });
  const inState = (id: string, state: string) => until(`${id} ${state}`, async () => ((await instance(id)).state === state ? instance(id) : null));
  const historyCount = async (id: string, type: string) =>
    (await db.rows<{ n: number }>('SELECT count(*)::int AS n FROM history_event WHERE process_instance_id = $1 AND type = $2', [id, type]))[0]!.n;

  it('hands the job to a plain worker with the documented data, merges its result and applies output mappings', async () => {
    handlers.set('enrich', async () => ({ score: 42, customer: { name: 'Ada' } }));
    handlers.set('price', async () => ({ total: 99, secret: 'not for the process' }));
    handlers.set('nothing', async () => undefined);
    const id = await start('variables', { orderId: 'o-1', score: 1 }, 'BK-1');

    const done = await atElement(id, 'review');
    expect(done.variables).toEqual({ orderId: 'o-1', score: 42, customer: { name: 'Ada' }, grandTotal: 99 });
    expect(done.state).toBe('active');

    const enrich = workers.calls.find((c) => c.queue === 'enrich' && c.data.processInstanceId === id)!;
    const [row] = await db.rows(`SELECT key FROM job WHERE process_instance_id = $1 AND element_id = 'enrich'`, [id]);
    expect(enrich.id).toBe(row!.key);
    expect(enrich.name).toBe('enrich');
    expect(enrich.data).toEqual({
      processInstanceId: id,
      elementId: 'enrich',
      jobKey: row!.key,
      businessKey: 'BK-1',
      definitionKey: 'variables',
      variables: { orderId: 'o-1', score: 1, order: 'o-1' },
      headers: { tier: 'gold' },
    });
    expect(enrich.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
    expect(workers.calls.find((c) => c.queue === 'price' && c.data.processInstanceId === id)!.opts.attempts).toBe(3);
    expect(await historyCount(id, 'job.completed')).toBe(3);
    const states = await db.rows(`SELECT state, count(*)::int AS n FROM job WHERE process_instance_id = $1 GROUP BY state`, [id]);
    expect(states).toEqual([{ state: 'completed', n: 3 }]);
  });

  it('routes a returned $bpmnError to the matching error boundary event, with its variables', async () => {
    handlers.set('check-address', async () => ({ $bpmnError: { code: 'bad-address', message: 'zip missing', variables: { problem: 'zip' } } }));
    const id = await start('boundary');
    const at = await atElement(id, 'fix');
    expect(at.activeElements.map((e: { elementId: string }) => e.elementId)).toEqual(['fix']);
    expect(at.variables).toEqual({ problem: 'zip' });
    const history = (await api('GET', `/process-instances/${id}/history`)).body.items as { type: string; elementId?: string; data?: any }[];
    expect(history.find((e) => e.type === 'error.thrown')).toMatchObject({ elementId: 'check', data: { code: 'bad-address', caughtBy: 'badAddress' } });
    expect(history.filter((e) => e.type === 'job.completed')).toHaveLength(1);
  });

  it('routes a returned $bpmnError to an error event subprocess', async () => {
    handlers.set('reserve-stock', async () => ({ $bpmnError: { code: 'no-stock' } }));
    const id = await start('eventsub');
    const at = await atElement(id, 'restock');
    expect(at.activeElements.map((e: { elementId: string }) => e.elementId).sort()).toEqual(['onNoStock', 'restock']);
  });

  it('makes an uncaught $bpmnError an incident', async () => {
    handlers.set('risky', async () => ({ $bpmnError: { code: 'nobody-catches-this' } }));
    const id = await start('uncaught');
    await inState(id, 'incident');
    const incidents = (await api('GET', `/incidents?processInstanceId=${id}`)).body.items;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ type: 'uncaught-error', elementId: 'risky', state: 'open' });
  });

  it('makes a result the database cannot store (a NUL in a text) an incident instead of retrying it forever', async () => {
    handlers.set('risky', async () => ({ note: 'a\u0000b' }));
    const id = await start('uncaught');
    await inState(id, 'incident');
    const incidents = (await api('GET', `/incidents?processInstanceId=${id}`)).body.items;
    expect(incidents).toEqual([expect.objectContaining({ type: 'job-failed', elementId: 'risky', state: 'open', message: expect.stringContaining("the worker's result cannot be stored") })]);
    expect((await instance(id)).variables).not.toHaveProperty('note');
  });

  it('retries a thrown error, makes an incident after the last attempt, and re-dispatches on retry', async () => {
    let throwing = true;
    handlers.set('flaky', async (j) => {
      if (throwing) throw new Error(`carrier API down (attempt ${j.attemptsMade + 1})`);
      return { booked: true };
    });
    const id = await start('failing');
    const incidentState = await inState(id, 'incident');
    expect(incidentState.activeElements.map((e: { elementId: string }) => e.elementId)).toEqual(['flaky']);
    const first = workers.calls.filter((c) => c.queue === 'flaky' && c.data.processInstanceId === id);
    expect(first.map((c) => c.attemptsMade)).toEqual([0, 1]);

    const listed = await api('GET', `/incidents?processInstanceId=${id}&state=open`);
    expect(listed.body.items).toHaveLength(1);
    const incident = listed.body.items[0];
    expect(incident).toMatchObject({ type: 'job-failed', elementId: 'flaky', jobKey: first[0]!.id, message: 'carrier API down (attempt 2)', state: 'open' });
    expect(await historyCount(id, 'job.failed')).toBe(1);

    throwing = false;
    const retried = await api('POST', `/incidents/${incident.id}/retry`, { retries: 1 });
    expect(retried.status).toBe(200);
    expect(retried.body.state).toBe('resolved');
    const done = await inState(id, 'completed');
    expect(done.variables).toEqual({ booked: true });
    const calls = workers.calls.filter((c) => c.queue === 'flaky' && c.data.processInstanceId === id);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.id).not.toBe(first[0]!.id);
    expect(calls[2]!.opts.attempts).toBe(1);
    expect(await historyCount(id, 'job.dispatched')).toBe(2);
    expect(await historyCount(id, 'job.completed')).toBe(1);
  });

  it('fails at once, without further tries, when a worker throws UnrecoverableError', async () => {
    handlers.set('risky', async () => {
      throw new UnrecoverableError('card declined for good');
    });
    const id = await start('uncaught');
    await inState(id, 'incident');
    expect(workers.calls.filter((c) => c.queue === 'risky' && c.data.processInstanceId === id)).toHaveLength(1);
    const incidents = (await api('GET', `/incidents?processInstanceId=${id}`)).body.items;
    expect(incidents).toEqual([expect.objectContaining({ type: 'job-failed', message: 'card declined for good' })]);
  });

  it('removes the job of a task interrupted by a timer boundary event while it still waits', async () => {
    const id = await start('timeout');
    const [row] = await db.pendingJobs(id);
    const queue = new Queue('nobody-serves-this', { connection: redis, prefix: t.config.bullmqPrefix });
    try {
      await until('the job in its queue', async () => (await queue.getJobState(row!.key)) === 'waiting');
      await atElement(id, 'escalate');
      await until('the job removed', async () => (await queue.getJob(row!.key)) === undefined);
      expect(await db.rows(`SELECT state FROM job WHERE key = $1`, [row!.key])).toEqual([{ state: 'canceled' }]);
    } finally {
      await queue.close();
    }
  });

  it('removes the job of a canceled instance from its queue while it still waits', async () => {
    const id = await start('waiting');
    const [row] = await db.pendingJobs(id);
    const queue = new Queue('nobody-serves-this', { connection: redis, prefix: t.config.bullmqPrefix });
    try {
      await until('the job in its queue', async () => (await queue.getJob(row!.key)) !== undefined);
      expect(await queue.getJobState(row!.key)).toBe('waiting');
      expect((await api('POST', `/process-instances/${id}/cancel`)).status).toBe(200);
      await until('the job removed', async () => (await queue.getJob(row!.key)) === undefined);
      expect(await redis.exists(`${t.config.bullmqPrefix}:flowdesk-results:${row!.key}`)).toBe(0);
      const [state] = await db.rows(`SELECT state FROM job WHERE key = $1`, [row!.key]);
      expect(state).toEqual({ state: 'canceled' });
    } finally {
      await queue.close();
    }
  });

  it('ignores the late result of a job whose instance was canceled while the worker held it', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const release = new Promise<void>((resolve) => (gate = resolve));
    handlers.set('held', async () => {
      started();
      await release;
      return { late: true };
    });
    const id = await start('held');
    await running;
    expect((await api('POST', `/process-instances/${id}/cancel`)).status).toBe(200);
    gate!();
    const [row] = await db.rows(`SELECT key FROM job WHERE process_instance_id = $1`, [id]);
    // The result comes back, is found stale, and its parent is acknowledged (removed on completion).
    await until('the late result acknowledged', async () => (await redis.exists(`${t.config.bullmqPrefix}:flowdesk-results:${row!.key}`)) === 0);
    const after = await instance(id);
    expect(after.state).toBe('canceled');
    expect(after.variables).toEqual({});
    expect(await historyCount(id, 'job.completed')).toBe(0);
    // A duplicate delivery of a result that was applied changes nothing either.
    expect(await t.app.get(JobResults).apply({ jobKey: row!.key, processInstanceId: id }, { kind: 'returned', value: { late: true } })).toBe('stale');
  });

  it('keeps the result of a suspended instance until it is resumed, then applies it', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const release = new Promise<void>((resolve) => (gate = resolve));
    handlers.set('held', async () => {
      started();
      await release;
      return { afterSuspension: true };
    });
    const id = await start('held');
    await running;
    expect((await api('POST', `/process-instances/${id}/suspend`)).status).toBe(200);
    gate!();
    const [row] = await db.rows(`SELECT key FROM job WHERE process_instance_id = $1`, [id]);
    const results = new Queue('flowdesk-results', { connection: redis, prefix: t.config.bullmqPrefix });
    try {
      // The result came back and waits (delayed) instead of being dropped or failing.
      await until('the result delayed', async () => (await results.getJobState(row!.key)) === 'delayed');
      expect((await instance(id)).state).toBe('suspended');
      expect((await api('POST', `/process-instances/${id}/resume`)).status).toBe(200);
      const done = await inState(id, 'completed');
      expect(done.variables).toEqual({ afterSuspension: true });
      expect(await historyCount(id, 'job.completed')).toBe(1);
    } finally {
      await results.close();
    }
  });

  it('applies a duplicate result once', async () => {
    handlers.set('step-one', async () => ({ one: 1 }));
    handlers.set('step-two', async () => ({ two: 2 }));
    const id = await start('two_steps');
    await inState(id, 'completed');
    const keys = await db.rows<{ key: string }>(`SELECT key FROM job WHERE process_instance_id = $1`, [id]);
    for (const { key } of keys) {
      expect(await t.app.get(JobResults).apply({ jobKey: key, processInstanceId: id }, { kind: 'returned', value: { again: true } })).toBe('stale');
    }
    expect(await historyCount(id, 'job.completed')).toBe(2);
    expect((await instance(id)).variables).toEqual({ one: 1, two: 2 });
  });

  it('completes every instance when Redis loses every key of our prefix mid-flight', async () => {
    handlers.set('step-one', async () => {
      await sleep(20);
      return { one: 1 };
    });
    handlers.set('step-two', async () => {
      await sleep(20);
      return { two: 2 };
    });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await start('two_steps'));
    // Some finished, many in flight: the queues, results and markers all vanish at once.
    await until('a few done', async () => (await db.rows(`SELECT 1 FROM process_instance WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [ids])).length >= 3);
    // Deleted in one atomic script: Redis loses everything of ours at one instant, as in a restart.
    const deleted = await redis.eval(
      `local n = 0 for _, key in ipairs(redis.call('KEYS', ARGV[1])) do n = n + redis.call('DEL', key) end return n`,
      0,
      `${t.config.bullmqPrefix}:*`,
    );
    expect(deleted).toBeGreaterThan(0);
    const lost = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM job WHERE state = 'pending' AND process_instance_id = ANY($1::uuid[])`, [ids]);
    expect(lost[0]!.n).toBeGreaterThan(0);

    // The reconciler's next pass (every 5 s) notices the missing marker and re-publishes.
    await until(
      'every instance completed',
      async () => (await db.rows(`SELECT 1 FROM process_instance WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [ids])).length === ids.length,
      30_000,
    );
    const perInstance = await db.rows<{ n: number }>(
      `SELECT count(h.id)::int AS n FROM unnest($1::uuid[]) AS i(id) LEFT JOIN history_event h ON h.process_instance_id = i.id AND h.type = 'job.completed' GROUP BY i.id`,
      [ids],
    );
    expect(perInstance).toHaveLength(30);
    expect(perInstance.every((row) => row.n === 2)).toBe(true);
    for (const id of ids.slice(0, 5)) expect((await instance(id)).variables).toEqual({ one: 1, two: 2 });
    // Nothing is left pending, and the reconciler has nothing more to do.
    await t.app.get(JobReconciler).reconcileNow();
    const [pending] = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM job WHERE state = 'pending' AND process_instance_id = ANY($1::uuid[])`, [ids]);
    expect(pending!.n).toBe(0);
  }, 60_000);

  // Not the protocol test (those workers import nothing from src/): the project's own example
  // workers, as `npm run worker` runs them for the README walkthrough.
  it('runs processes/order-fulfilment with the example workers of `npm run worker`', async () => {
    const xml = await readFile('processes/order-fulfilment.bpmn', 'utf8');
    expect((await http('POST', `${t.url}/api/deployments`, { token: integrator, body: modelForm([{ name: 'order-fulfilment.bpmn', xml }]) })).status).toBe(201);
    const examples = startExampleWorkers({ connection: redis, prefix: t.config.bullmqPrefix, types: ['validate-address', 'book-shipping'] });
    try {
      const address = { name: 'Jane Doe', street: '1 Main Street', postalCode: '12345', city: 'Springfield', country: 'us' };
      const good = await start('order-fulfilment', { orderId: 'A-1001', customerEmail: 'jane@example.com', address }, 'A-1001');
      const shipped = await atElement(good, 'Gateway_AwaitDelivery');
      expect(shipped.variables).toMatchObject({ address: { ...address, country: 'US' }, shipmentId: expect.stringMatching(/^SH-/), carrier: 'DHL' });

      const bad = await start('order-fulfilment', { orderId: 'A-1002', customerEmail: 'joe@example.com', address: { street: '2 Main Street', city: 'Springfield', country: 'US' } }, 'A-1002');
      const fixing = await atElement(bad, 'Task_FixAddress');
      expect(fixing.variables).toMatchObject({ addressProblem: 'postal code missing' });
    } finally {
      await examples.close();
    }
  });
});
