// (c) The durable runtime on PostgreSQL: CommandExecutor.start / .execute, one transaction each,
// on a fresh database created and migrated by the app's own start-up, dropped at the end.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import type { CommandExecutor } from '../src/runtime/command-executor.js';
import type { CachedDefinition } from '../src/runtime/model-cache.js';
import { dropDatabase, freshBenchDatabase } from './databases.js';
import { enableDecoratorMetadata } from './decorator-metadata.js';
import { concurrently, fmt, forEachConcurrently, type Figure, rateFigure, type Section, summarise } from './lib.js';
import { type BenchModel, USER_TASK, USER_TASK_CHAIN } from './models.js';

/** The app's modules, imported only after enableDecoratorMetadata() (see decorator-metadata.ts). */
async function appModules() {
  enableDecoratorMetadata();
  const [{ createApp }, { loadConfig }, { DeploymentsService }, { DeploymentRepository }, { CommandExecutor }, { ModelCache }] = await Promise.all([
    import('../src/app.factory.js'),
    import('../src/config/config.js'),
    import('../src/deployments/deployments.service.js'),
    import('../src/persistence/deployment.repository.js'),
    import('../src/runtime/command-executor.js'),
    import('../src/runtime/model-cache.js'),
  ]);
  return { createApp, loadConfig, DeploymentsService, DeploymentRepository, CommandExecutor, ModelCache };
}
type AppModules = Awaited<ReturnType<typeof appModules>>;

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WARMUP_MS = 1000;
const RUNS = 3;
const RUN_MS = 2500;
/** Instances whose user tasks are completed in rounds of one task each. */
const COMPLETE_INSTANCES = 480;
const COMPLETE_ROUNDS = 4;

// ───────────────────────── SQL statement counter ─────────────────────────
// node-postgres is the driver under TypeORM; every statement (TypeORM's transaction control
// included) goes through pg.Client#query. Only statements issued inside `counted(...)` (same async
// context) are counted, so the app's background pollers (timers, outbox) do not pollute the tally.

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
const TX_CONTROL = /^\s*(BEGIN|START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i;

interface Tally {
  tx: number;
  other: number;
  /** Statement shape → [count, total ms from call to result]. */
  shapes: Map<string, [number, number]>;
}
const tallies = new AsyncLocalStorage<Tally>();

function countQueries(): () => void {
  const original = pg.Client.prototype.query as unknown as QueryFn;
  (pg.Client.prototype as unknown as { query: QueryFn }).query = function (this: pg.Client, ...args: unknown[]) {
    const tally = tallies.getStore();
    if (tally) {
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
      if (TX_CONTROL.test(text)) tally.tx++;
      else tally.other++;
      const shape = shapeOf(text);
      let entry = tally.shapes.get(shape);
      if (!entry) tally.shapes.set(shape, (entry = [0, 0]));
      entry[0]++;
      const t0 = performance.now();
      const result = original.apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(
          () => (entry[1] += performance.now() - t0),
          () => (entry[1] += performance.now() - t0),
        );
      }
      return result;
    }
    return original.apply(this, args);
  };
  return () => {
    (pg.Client.prototype as unknown as { query: QueryFn }).query = original;
  };
}

/** "SELECT … FROM process_instance FOR UPDATE", "INSERT INTO user_task", "UPDATE user_task", "COMMIT"… */
function shapeOf(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = text.split(' ')[0]!.toUpperCase();
  if (verb === 'SELECT') {
    const from = /\bFROM (\w+)/i.exec(text)?.[1] ?? '';
    return `SELECT ${from}${/FOR UPDATE/i.test(text) ? ' FOR UPDATE' : ''}`;
  }
  if (verb === 'INSERT') return `INSERT ${/^INSERT INTO (\w+)/i.exec(text)?.[1] ?? ''}`;
  if (verb === 'UPDATE' || verb === 'DELETE') return `${verb} ${/^(?:UPDATE|DELETE FROM) (\w+)/i.exec(text)?.[1] ?? ''}`;
  return text.length > 48 ? `${text.slice(0, 45)}…` : text;
}

async function counted(work: () => Promise<void>): Promise<Tally> {
  const tally: Tally = { tx: 0, other: 0, shapes: new Map() };
  await tallies.run(tally, work);
  return tally;
}

/** "1× INSERT user_task 0.31 ms, …" per command, in order of first use. */
function shapeList(shapes: Map<string, [number, number]>, per: number): string {
  return [...shapes].map(([shape, [n, ms]]) => `${fmt(n / per)}× ${shape} ${(ms / n).toFixed(2)} ms`).join(', ');
}

// ───────────────────────────── the app ─────────────────────────────

async function bootApp({ createApp, loadConfig }: AppModules): Promise<{ app: INestApplication; databaseUrl: string; databaseName: string }> {
  const { name: databaseName, url } = await freshBenchDatabase();
  const config = loadConfig({
    DATABASE_URL: url,
    REDIS_URL,
    BULLMQ_PREFIX: `fdbench_${randomBytes(4).toString('hex')}`,
    AUTH_JWT_SECRET: randomBytes(24).toString('hex'),
    PROCESSES_DIR: 'test/fixtures/no-processes',
    LOG_LEVEL: 'error',
    PORT: '0',
  });
  try {
    const app = await createApp(config);
    await app.init();
    return { app, databaseUrl: url, databaseName };
  } catch (error) {
    await dropDatabase(databaseName).catch(() => undefined);
    throw error;
  }
}

async function deploy({ DeploymentsService, DeploymentRepository, ModelCache }: AppModules, app: INestApplication, model: BenchModel): Promise<CachedDefinition> {
  await app.get(DeploymentsService).deploy({ name: `${model.key}.bpmn`, resources: [{ name: `${model.key}.bpmn`, bytes: Buffer.from(model.xml) }], deployedBy: null });
  const entity = await app.get(DeploymentRepository).latestDefinition(model.key);
  if (!entity) throw new Error(`${model.key} was not deployed`);
  return app.get(ModelCache).remember({ id: entity.id, key: entity.key, version: entity.version, deploymentId: entity.deploymentId, model: entity.model });
}

// ───────────────────────────── the section ─────────────────────────────

export const runtimeSection: Section = {
  name: 'runtime',
  title: '(c) Flowdesk runtime on PostgreSQL (CommandExecutor, one transaction per command; CPU µs/op = this Node process only, PostgreSQL not included)',
  async run(): Promise<Figure[]> {
    const modules = await appModules();
    const restore = countQueries();
    const { app, databaseUrl, databaseName } = await bootApp(modules);
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const executor: CommandExecutor = app.get(modules.CommandExecutor);
      const userTask = await deploy(modules, app, USER_TASK);
      const chain = await deploy(modules, app, USER_TASK_CHAIN);
      const startOne = async () => {
        await executor.start({ definition: userTask, actor: null });
      };
      const figures: Figure[] = [];

      // Starts at concurrency 1 and 16: warm-up, then RUNS timed runs of RUN_MS each.
      for (const concurrency of [1, 16]) {
        await concurrently(concurrency, WARMUP_MS, startOne);
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await concurrently(concurrency, RUN_MS, startOne));
        const m = summarise(runs);
        figures.push(rateFigure(`start-c${concurrency}`, `instances/s started to a user-task wait, concurrency ${concurrency}`, 'inst/s', m));
      }
      const startSql = await counted(async () => {
        for (let i = 0; i < 50; i++) await startOne();
      });
      figures.push({
        key: 'sql-start',
        label: 'SQL statements per start (start → user task), excl. transaction control',
        value: startSql.other / 50,
        unit: 'stmts',
        note: `+ ${fmt(startSql.tx / 50)} transaction-control statements; per start, with mean latency at concurrency 1: ${shapeList(startSql.shapes, 50)}`,
      });

      // Completions on the 100-user-task chain: each round completes the open task of every
      // instance (→ its next task waits). Open task ids are read between rounds, untimed.
      const ids: string[] = [];
      for (let i = 0; i < COMPLETE_INSTANCES; i += 16) {
        ids.push(...(await Promise.all(Array.from({ length: 16 }, () => executor.start({ definition: chain, actor: null })))));
      }
      const openTasks = async (instances: readonly string[]) =>
        (
          await db.query<{ id: string; process_instance_id: string }>(
            `SELECT id, process_instance_id FROM user_task WHERE state = 'open' AND process_instance_id = ANY($1::uuid[])`,
            [instances],
          )
        ).rows;
      const complete = async (task: { id: string; process_instance_id: string }) => {
        const outcome = await executor.execute(task.process_instance_id, { type: 'completeUserTask', taskId: task.id, variables: {} });
        if (outcome !== 'applied') throw new Error(`completion was ${outcome}`);
      };
      for (const concurrency of [1, 16]) {
        // Concurrency 1 completes a sixth of the instances per round, so a round stays short.
        const instances = concurrency === 1 ? ids.slice(0, COMPLETE_INSTANCES / 6) : ids;
        await forEachConcurrently(await openTasks(instances), concurrency, complete); // warm-up round
        const runs = [];
        for (let round = 0; round < COMPLETE_ROUNDS; round++) runs.push(await forEachConcurrently(await openTasks(instances), concurrency, complete));
        const m = summarise(runs);
        figures.push(rateFigure(`step-c${concurrency}`, `steps/s, complete user task → next task waits, concurrency ${concurrency}`, 'steps/s', m, `${instances.length} instances, ${COMPLETE_ROUNDS} rounds`));
      }
      const tasks = (await openTasks(ids.slice(0, 50))).slice(0, 50);
      const stepSql = await counted(async () => {
        for (const task of tasks) await complete(task);
      });
      figures.push({
        key: 'sql-step',
        label: 'SQL statements per step (complete user task → next waits), excl. tx control',
        value: stepSql.other / tasks.length,
        unit: 'stmts',
        note: `+ ${fmt(stepSql.tx / tasks.length)} transaction-control statements; per step, with mean latency at concurrency 1: ${shapeList(stepSql.shapes, tasks.length)}`,
      });
      return figures;
    } finally {
      restore();
      await db.end();
      await app.close();
      await dropDatabase(databaseName);
    }
  },
};
