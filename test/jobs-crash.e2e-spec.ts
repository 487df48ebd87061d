import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { signDevToken } from '../src/identity/dev-token.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { dropDatabase, freshDatabaseUrl, TEST_JWT_SECRET } from './support/test-app.js';
import { buildEngine, type EngineBuild, EngineProcess } from './workers/engine-process.js';
import { type PlainWorkers, startPlainWorkers } from './workers/plain-worker.js';
import { sleep, until } from './support/wait.js';

// The engine as real child processes: killed with SIGKILL mid-flight and restarted, and two
// replicas on one database. The workers are plain bullmq Workers in this process; every count
// below comes from PostgreSQL's history, so "exactly once" means exactly one row.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const TWO_STEPS = definitions(`
  <bpmn:process id="two_steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:serviceTask id="first"><bpmn:extensionElements><zeebe:taskDefinition type="step-one" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:serviceTask id="second"><bpmn:extensionElements><zeebe:taskDefinition type="step-two" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);


interface Setup {
  env: Record<string, string>;
  db: TestDb;
  databaseName: string;
  token: string;
  workers: PlainWorkers;
  /** Workers hold every job until this is called. */
  release(): void;
}

describe('jobs across engine crashes and replicas', () => {
  let build: EngineBuild;
  const engines: EngineProcess[] = [];
  const setups: Setup[] = [];

  beforeAll(async () => {
    build = await buildEngine();
  }, 60_000);
  afterAll(async () => {
    for (const engine of engines) engine.kill('SIGKILL');
    const redis = new Redis(REDIS_URL);
    for (const engine of engines) await engine.exited;
    for (const setup of setups) {
      await setup.workers.close();
      await setup.db.close();
      await dropDatabase(setup.databaseName);
      await redis.eval(`for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end`, 0, `${setup.env.BULLMQ_PREFIX}:*`);
    }
    await redis.quit();
    await build.remove();
  }, 60_000);

  async function setUp(): Promise<Setup> {
    const database = freshDatabaseUrl();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      BULLMQ_PREFIX: `fdtest_${randomBytes(4).toString('hex')}`,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      PROCESSES_DIR: 'test/fixtures/no-processes',
      LOG_LEVEL: 'warn',
      // Two replicas beside another jest worker's suite: stay well under PostgreSQL's 100 connections.
      DATABASE_POOL_MAX: '8',
    };
    // A worker that takes a little while, so results keep arriving while an engine is gone.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const work = (result: Record<string, number>) => async () => {
      await released;
      await sleep(20 + Math.random() * 40);
      return result;
    };
    const workers = await startPlainWorkers({ redisUrl: REDIS_URL, prefix: env.BULLMQ_PREFIX, concurrency: 4 }, { 'step-one': work({ one: 1 }), 'step-two': work({ two: 2 }) });
    const token = await signDevToken({ user: 'ivan', roles: ['integrator', 'modeler'] }, TEST_JWT_SECRET);
    const setup = { env, db: new TestDb(database.url), databaseName: database.name, token, workers, release };
    setups.push(setup);
    return setup;
  }

  async function engine(setup: Setup): Promise<EngineProcess> {
    const started = await EngineProcess.start(build, setup.env);
    engines.push(started);
    return started;
  }

  async function startInstances(setup: Setup, urls: readonly string[], count: number): Promise<string[]> {
    const deployed = await http('POST', `${urls[0]}/api/deployments`, { token: setup.token, body: modelForm([{ name: 'two.bpmn', xml: TWO_STEPS }]) });
    expect(deployed.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, count - i) }, (_, j) => http('POST', `${urls[(i + j) % urls.length]}/api/process-definitions/two_steps/start`, { token: setup.token, json: {} })),
      );
      for (const started of batch) {
        expect(started.status).toBe(201);
        ids.push(started.body.id);
      }
    }
    return ids;
  }

  const completed = async (db: TestDb, ids: readonly string[]) =>
    (await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM process_instance WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [ids]))[0]!.n;

  /** Instances whose history is not exactly: 2 jobs dispatched, 2 completed, completed once (empty = all fine). */
  async function deviations(db: TestDb, ids: readonly string[]): Promise<{ id: string; counts: Record<string, number> }[]> {
    const expected = { 'job.dispatched': 2, 'job.completed': 2, 'instance.completed': 1 };
    const counts = await historyCounts(db, ids, Object.keys(expected));
    return ids.filter((id) => JSON.stringify(counts.get(id)) !== JSON.stringify(expected)).map((id) => ({ id, counts: counts.get(id)! }));
  }

  /** Per instance: how many history rows of each type, e.g. { 'job.completed': 2 }. */
  async function historyCounts(db: TestDb, ids: readonly string[], types: readonly string[]): Promise<Map<string, Record<string, number>>> {
    const rows = await db.rows<{ id: string; type: string; n: number }>(
      `SELECT process_instance_id AS id, type, count(*)::int AS n FROM history_event WHERE process_instance_id = ANY($1::uuid[]) AND type = ANY($2) GROUP BY 1, 2`,
      [ids, types],
    );
    const counts = new Map(ids.map((id) => [id, Object.fromEntries(types.map((type) => [type, 0]))]));
    for (const row of rows) counts.get(row.id)![row.type] = row.n;
    return counts;
  }

  it('applies every job effect exactly once when the engine is killed with SIGKILL mid-flight and restarted', async () => {
    const setup = await setUp();
    const first = await engine(setup);
    const ids = await startInstances(setup, [first.url], 60);
    setup.release();

    // Kill it while jobs are queued, running, finished-but-unapplied and half-applied.
    await until('some jobs applied', async () => (await setup.db.rows(`SELECT 1 FROM history_event WHERE type = 'job.completed' LIMIT 10`)).length >= 10, 20_000);
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const atKill = await completed(setup.db, ids);
    expect(atKill).toBeLessThan(ids.length);
    // Workers keep finishing jobs while no engine runs: their results wait in Redis.
    const callsAtKill = setup.workers.calls.length;
    await sleep(1500);
    expect(setup.workers.calls.length).toBeGreaterThan(callsAtKill);

    const second = await engine(setup);
    await until('every instance completed', async () => (await completed(setup.db, ids)) === ids.length, 60_000);

    expect(await deviations(setup.db, ids)).toEqual([]);
    const variables = await setup.db.rows<{ v: unknown }>(`SELECT DISTINCT state->'variables' AS v FROM process_instance WHERE id = ANY($1::uuid[])`, [ids]);
    expect(variables).toEqual([{ v: { one: 1, two: 2 } }]);

    // Graceful shutdown: SIGTERM closes workers, queues and connections and exits 0.
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('dispatches each job once and applies each result once with two engine replicas on one database', async () => {
    const setup = await setUp();
    const a = await engine(setup);
    const b = await engine(setup);
    const ids = await startInstances(setup, [a.url, b.url], 80);
    setup.release();
    await until('every instance completed', async () => (await completed(setup.db, ids)) === ids.length, 60_000);

    expect(await deviations(setup.db, ids)).toEqual([]);
    // Each job reached a worker exactly once: 160 jobs, 160 calls, no key twice, 160 outbox rows published.
    const keys = setup.workers.calls.filter((call) => ids.includes(call.data.processInstanceId)).map((call) => call.id);
    const [published] = await setup.db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'job.dispatch' AND published_at IS NOT NULL`);
    expect({ workerCalls: keys.length, distinctJobs: new Set(keys).size, published: published!.n }).toEqual({ workerCalls: 160, distinctJobs: 160, published: 160 });

    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 120_000);
});
