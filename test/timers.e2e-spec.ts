import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.factory.js';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { dropDatabase, freshDatabaseUrl, startTestApp, TEST_JWT_SECRET, testConfig, type TestApp } from './support/test-app.js';
import { signDevToken } from '../src/identity/dev-token.js';
import { buildEngine, type EngineBuild, EngineProcess } from './workers/engine-process.js';
import { until } from './support/wait.js';

// Real elapsed time on purpose: these prove the poller, leases and the engine's wait check together.

const timerProcess = (id: string, duration: string) =>
  definitions(`
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const REMINDERS = definitions(`
  <bpmn:process id="reminders" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" name="Slow work" />
    <bpmn:boundaryEvent id="remind" attachedToRef="task" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1S</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="remind" targetRef="nudge" />
    <bpmn:userTask id="nudge" name="Nudge" />
    <bpmn:sequenceFlow id="f3" sourceRef="nudge" targetRef="nudged" />
    <bpmn:endEvent id="nudged" />
    <bpmn:sequenceFlow id="f4" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const DEADLINE = definitions(`
  <bpmn:process id="deadline" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="never-answered" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition><bpmn:timeDuration>= duration("PT1S")</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="chase" />
    <bpmn:userTask id="chase" name="Chase the late work" />
    <bpmn:sequenceFlow id="f3" sourceRef="chase" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const RACE = definitions(`
  <bpmn:message id="Confirmed" name="confirmed"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="race" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <bpmn:eventBasedGateway id="gw" />
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="msg" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="timeout" />
    <bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition messageRef="Confirmed" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="msg" targetRef="ok" />
    <bpmn:sequenceFlow id="f5" sourceRef="timeout" targetRef="late" />
    <bpmn:endEvent id="ok" />
    <bpmn:endEvent id="late" />
  </bpmn:process>`);

describe('timers', () => {
  let t: TestApp;
  let db: TestDb;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    admin = await t.token('ada', ['admin']);
    const files = [
      { name: 'one.bpmn', xml: timerProcess('one_second', 'PT1S') },
      { name: 'reminders.bpmn', xml: REMINDERS },
      { name: 'deadline.bpmn', xml: DEADLINE },
      { name: 'race.bpmn', xml: RACE },
    ];
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: modelForm(files) })).status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await http('POST', `${t.url}/api/process-definitions/${key}/start`, { token: admin, json: { variables } })).body as { id: string; state: string };
  const state = async (id: string) => (await http('GET', `${t.url}/api/process-instances/${id}`, { token: admin })).body;
  it('fires an intermediate timer and moves the token on', async () => {
    const { id } = await start('one_second');
    expect((await state(id)).activeElements.map((e: { elementId: string }) => e.elementId)).toEqual(['wait']);
    await until('the instance to complete', async () => (await state(id)).state === 'completed');
    expect(await db.historyCount(id, 'timer.fired', 'wait')).toBe(1);
  });

  it('fires a non-interrupting cycle R2/PT1S twice while the task stays open', async () => {
    const { id } = await start('reminders');
    await until('two cycle firings', async () => (await db.historyCount(id, 'timer.fired', 'remind')) === 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await db.historyCount(id, 'timer.fired', 'remind')).toBe(2);
    const tasks = await db.openTasks(id);
    expect(tasks.map((task) => task.elementId).sort()).toEqual(['nudge', 'nudge', 'task']);
  });

  it('interrupts an unanswered service task with a boundary timer and withdraws its job', async () => {
    const { id } = await start('deadline');
    const [job] = await db.pendingJobs(id);
    await until('the chase task', async () => (await db.openTasks(id)).some((task) => task.elementId === 'chase'));
    const [row] = await db.rows(`SELECT state FROM job WHERE key = $1`, [job!.key]);
    expect(row!.state).toBe('canceled');
    // The worker's late answer changes nothing.
    const outcome = await t.app.get(CommandExecutor).execute(id, { type: 'completeJob', jobKey: job!.key, variables: {} }).catch((error) => error.code);
    expect(outcome).toBe('stale');
  });

  it('lets the timer win an event-based gateway and closes the message subscription', async () => {
    const { id } = await start('race', { orderId: 'R-1' });
    await until('the timer to win the gateway', async () => (await state(id)).state === 'completed');
    expect(await db.historyCount(id, 'element.entered', 'late')).toBe(1);
    expect(await db.historyCount(id, 'element.entered', 'ok')).toBe(0);
    const open = await db.rows(`SELECT key FROM subscription WHERE process_instance_id = $1 AND state = 'open'`, [id]);
    expect(open).toEqual([]);
  });

  it('holds a due timer while the instance is suspended and fires it after resume', async () => {
    const { id } = await start('one_second');
    expect((await http('POST', `${t.url}/api/process-instances/${id}/suspend`, { token: admin })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect((await state(id)).state).toBe('suspended');
    expect(await db.historyCount(id, 'timer.fired', 'wait')).toBe(0);
    await http('POST', `${t.url}/api/process-instances/${id}/resume`, { token: admin });
    await until('the resumed instance to complete', async () => (await state(id)).state === 'completed', 10_000);
    expect(await db.historyCount(id, 'timer.fired', 'wait')).toBe(1);
  });

  it('fires a timer that came due while no engine was running, once the engine is back', async () => {
    const { config, databaseName } = testConfig();
    const listen = async () => {
      const app = await createApp(config);
      await app.listen(0, '127.0.0.1');
      return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
    };
    let running = await listen();
    const other = new TestDb(config.databaseUrl);
    try {
      const body = modelForm([{ name: 'restart.bpmn', xml: timerProcess('restart_second', 'PT1S') }]);
      expect((await http('POST', `${running.url}/api/deployments`, { token: admin, body })).status).toBe(201);
      const id = (await http('POST', `${running.url}/api/process-definitions/restart_second/start`, { token: admin, json: {} })).body.id as string;
      await running.app.close();
      // Down for longer than the timer: it is a pending row in PostgreSQL, nothing else.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await other.historyCount(id, 'timer.fired', 'wait')).toBe(0);
      running = await listen();
      await until('the timer after the restart', async () => (await other.historyCount(id, 'timer.fired', 'wait')) === 1, 10_000);
      const [row] = await other.rows<{ status: string }>('SELECT status FROM process_instance WHERE id = $1', [id]);
      expect(row!.status).toBe('completed');
    } finally {
      await running.app.close();
      await other.close();
      await dropDatabase(databaseName);
    }
  });
});

// Two engine replicas as separate Node processes (test/workers/engine-process.ts) on one database of
// their own; this process only starts instances over HTTP and reads PostgreSQL. Each replica
// connects with its own application_name; a trigger installed by the test (not by the app) records
// which connection flipped each timer row from pending to fired, so the per-replica counts are the
// replicas' own writes, not a guess.
describe('timers with two engine processes', () => {
  const TIMERS = 1000;
  let build: EngineBuild;
  const engines: EngineProcess[] = [];
  let db: TestDb | null = null;
  const database = freshDatabaseUrl();
  const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `fdtest_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    build = await buildEngine();
  }, 60_000);
  afterAll(async () => {
    for (const engine of engines) engine.kill('SIGKILL');
    for (const engine of engines) await engine.exited;
    await db?.close();
    await dropDatabase(database.name);
    const redis = new Redis(REDIS_URL);
    await redis.eval(`for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end`, 0, `${prefix}:*`);
    await redis.quit();
    await build.remove();
  }, 60_000);

  it('fires each of 1,000 timers exactly once with two engine processes polling one database, and both fire some', async () => {
    const env = (replica: string) => ({
      DATABASE_URL: `${database.url}?application_name=${replica}`,
      REDIS_URL,
      BULLMQ_PREFIX: prefix,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      PROCESSES_DIR: 'test/fixtures/no-processes',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_MAX: '8',
    });
    const a = await EngineProcess.start(build, env('engine-a'));
    engines.push(a);
    const b = await EngineProcess.start(build, env('engine-b'));
    engines.push(b);
    db = new TestDb(database.url);
    await db.rows(`CREATE TABLE test_timer_fired_by (key uuid NOT NULL, replica text NOT NULL)`);
    await db.rows(`CREATE FUNCTION test_timer_fired_by() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_timer_fired_by VALUES (NEW.key, current_setting('application_name')); RETURN NEW; END $$`);
    await db.rows(`CREATE TRIGGER test_timer_fired_by AFTER UPDATE OF state ON timer FOR EACH ROW
      WHEN (OLD.state = 'pending' AND NEW.state = 'fired') EXECUTE FUNCTION test_timer_fired_by()`);

    const token = await signDevToken({ user: 'ivan', roles: ['integrator', 'modeler'] }, TEST_JWT_SECRET);
    const deployed = await http('POST', `${a.url}/api/deployments`, { token, body: modelForm([{ name: 'three.bpmn', xml: timerProcess('three_seconds', 'PT3S') }]) });
    expect(deployed.status).toBe(201);
    // Started in waves of 25, alternately through each replica; the first timers fire while later waves start.
    const ids: string[] = [];
    for (let i = 0; i < TIMERS; i += 25) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(25, TIMERS - i) }, (_, j) =>
          http('POST', `${[a, b][(i + j) % 2]!.url}/api/process-definitions/three_seconds/start`, { token, json: {} }),
        ),
      );
      for (const started of wave) {
        expect(started.status).toBe(201);
        ids.push(started.body.id);
      }
    }
    const completed = async () =>
      (await db!.rows<{ n: number }>(`SELECT count(*)::int AS n FROM process_instance WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [ids]))[0]!.n;
    const deadline = Date.now() + 60_000;
    while ((await completed()) < TIMERS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));

    // Per instance: exactly one timer row, fired once; one timer.fired event; moved on to the end once.
    const perInstance = await db.rows<{ id: string; timers: number; fired: number; firings: number; firedEvents: number; ended: number; completedEvents: number; status: string }>(
      `SELECT p.id, p.status,
              (SELECT count(*)::int FROM timer t WHERE t.process_instance_id = p.id) AS timers,
              (SELECT count(*)::int FROM timer t WHERE t.process_instance_id = p.id AND t.state = 'fired' AND t.fired_at IS NOT NULL) AS fired,
              (SELECT count(*)::int FROM test_timer_fired_by f JOIN timer t ON t.key = f.key WHERE t.process_instance_id = p.id) AS firings,
              (SELECT count(*)::int FROM history_event h WHERE h.process_instance_id = p.id AND h.type = 'timer.fired' AND h.element_id = 'wait') AS "firedEvents",
              (SELECT count(*)::int FROM history_event h WHERE h.process_instance_id = p.id AND h.type = 'element.entered' AND h.element_id = 'end') AS ended,
              (SELECT count(*)::int FROM history_event h WHERE h.process_instance_id = p.id AND h.type = 'instance.completed') AS "completedEvents"
       FROM process_instance p WHERE p.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(perInstance).toHaveLength(TIMERS);
    const deviations = perInstance.filter(
      (row) => row.status !== 'completed' || row.timers !== 1 || row.fired !== 1 || row.firings !== 1 || row.firedEvents !== 1 || row.ended !== 1 || row.completedEvents !== 1,
    );
    expect(deviations).toEqual([]);
    const [totals] = await db.rows<{ events: number; firings: number; keys: number }>(
      `SELECT (SELECT count(*)::int FROM history_event WHERE type = 'timer.fired' AND process_instance_id = ANY($1::uuid[])) AS events,
              (SELECT count(*)::int FROM test_timer_fired_by) AS firings,
              (SELECT count(DISTINCT key)::int FROM test_timer_fired_by) AS keys`,
      [ids],
    );
    expect(totals).toEqual({ events: TIMERS, firings: TIMERS, keys: TIMERS });

    // Both processes took part: every firing came from one of the two, and each fired some.
    const byReplica = Object.fromEntries(
      (await db.rows<{ replica: string; n: number }>(`SELECT replica, count(*)::int AS n FROM test_timer_fired_by GROUP BY 1`)).map((r) => [r.replica, r.n]),
    );
    expect(Object.keys(byReplica).sort()).toEqual(['engine-a', 'engine-b']);
    expect(byReplica['engine-a']! + byReplica['engine-b']!).toBe(TIMERS);
    expect(byReplica['engine-a']).toBeGreaterThan(0);
    expect(byReplica['engine-b']).toBeGreaterThan(0);

    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 120_000);
});
