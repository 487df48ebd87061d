// (f) Timer firing lag at 10,000 pending timers (issue: p99 < 1 s). A fresh database, the real app
// (its TimerPoller fires every timer through the CommandExecutor), one model: start → intermediate
// timer catch event (timeDate `= dueAt`, a variable) → end.
//   - FAR instances wait on a timer a day away (pending for the whole run, never fire);
//   - each phase adds STREAM instances whose timers come due evenly over WINDOW_MS (the lag
//     figures), then BURST instances whose timers are all due at once (how fast a backlog drains).
// Phase 1 fires with one replica (the app in this process), then fires DIRECT far-future timers by
// calling the CommandExecutor itself (no poller: the command's own capacity, SQL counted). With
// BENCH_TIMER_REPLICAS=2, phase 2 adds a second replica as a separate Node process
// (test/workers/engine-process.ts) on the same database and repeats stream and burst.
// A test-only trigger records which replica's connection (application_name) fired each timer.
// Seeding: one instance is started through the runtime (CommandExecutor.start); the others are
// copies of its rows (process_instance, timer, history_event) with their own instance id, timer
// key and due time written into every place the engine wrote them, inserted in bulk (starting
// 30,000 instances one by one would take minutes here). Firing is all real: poller, lease, engine.
// Lag = timer.fired_at (the firing command's clock, taken as its transaction starts) − due_at.
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import type { CachedDefinition } from '../src/runtime/model-cache.js';
import type { EngineBuild, EngineProcess } from '../test/workers/engine-process.js';
import { dropDatabase, freshBenchDatabase } from './databases.js';
import { enableDecoratorMetadata } from './decorator-metadata.js';
import { fmt, type Figure, forEachConcurrently, type Section } from './lib.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Timers pending for the whole run (due in a day). */
const FAR = Number(process.env.BENCH_TIMER_FAR ?? 10_000);
/** Timers that come due evenly during each phase's window. */
const STREAM = Number(process.env.BENCH_TIMER_STREAM ?? 5_000);
const WINDOW_MS = Number(process.env.BENCH_TIMER_WINDOW_MS ?? 25_000);
/** Timers due all at once after each window (drain rate). */
const BURST = Number(process.env.BENCH_TIMER_BURST ?? 2_000);
/** The template's due time: a distinctive instant, replaced in every copy. */
const TEMPLATE_DUE = '2031-01-01T00:00:00.000Z';
/** `2` adds the two-replica phase (~40 s more). */
const SECOND_REPLICA = process.env.BENCH_TIMER_REPLICAS === '2';
/** Timers fired by calling the CommandExecutor directly (no poller): the command's own capacity. */
const DIRECT = Number(process.env.BENCH_TIMER_DIRECT ?? 1_000);
const DIRECT_CONCURRENCY = 8;
const GOAL_P99_MS = 1000;

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="http://flowdesk.bench"`;
const MODEL_KEY = 'bench_timer_catch';
const MODEL_XML = `<bpmn:definitions ${NS} id="dt"><bpmn:process id="${MODEL_KEY}" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDate>= dueAt</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/><bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/>
</bpmn:process></bpmn:definitions>`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Copies the template instance's rows `dueAts.length` times, each with a new instance id, timer key
 * and due time replaced everywhere (state document, variables, timer document, history data).
 * Returns the new instance ids.
 */
async function cloneInstances(db: pg.Pool, templateId: string, dueAts: readonly Date[]): Promise<string[]> {
  const one = async (sql: string) => (await db.query<{ j: string }>(sql, [templateId])).rows.map((r) => r.j);
  const [instance] = await one(`SELECT row_to_json(p)::text AS j FROM process_instance p WHERE id = $1`);
  const timers = await one(`SELECT row_to_json(t)::text AS j FROM timer t WHERE process_instance_id = $1`);
  const history = await one(`SELECT (row_to_json(h)::jsonb - 'id')::text AS j FROM history_event h WHERE process_instance_id = $1 ORDER BY id`);
  const [others] = (
    await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM job WHERE process_instance_id = $1) + (SELECT count(*) FROM user_task WHERE process_instance_id = $1)
            + (SELECT count(*) FROM subscription WHERE process_instance_id = $1) + (SELECT count(*) FROM outbox WHERE process_instance_id = $1) AS n`,
      [templateId],
    )
  ).rows;
  if (!instance || timers.length !== 1 || Number(others!.n) !== 0) throw new Error('the template instance is not one process_instance row with one timer and history only');
  const templateKey = (JSON.parse(timers[0]!) as { key: string }).key;
  if (!instance.includes(TEMPLATE_DUE)) throw new Error('the template state does not hold its due time');
  const historyColumns = (
    await db.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'history_event' AND column_name <> 'id' ORDER BY ordinal_position`)
  ).rows.map((r) => pg.escapeIdentifier(r.c));
  const ids: string[] = [];
  const CHUNK = 1000;
  for (let at = 0; at < dueAts.length; at += CHUNK) {
    const rows = { instances: [] as unknown[], timers: [] as unknown[], history: [] as unknown[] };
    for (const due of dueAts.slice(at, at + CHUNK)) {
      const id = randomUUID();
      const key = randomUUID();
      const dueIso = due.toISOString();
      const copy = (text: string) => JSON.parse(text.replaceAll(templateId, id).replaceAll(templateKey, key).replaceAll(TEMPLATE_DUE, dueIso)) as Record<string, unknown>;
      rows.instances.push(copy(instance));
      rows.timers.push({ ...copy(timers[0]!), due_at: dueIso });
      for (const h of history) rows.history.push(copy(h));
      ids.push(id);
    }
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO process_instance SELECT * FROM json_populate_recordset(NULL::process_instance, $1::json)`, [JSON.stringify(rows.instances)]);
      await client.query(`INSERT INTO timer SELECT * FROM json_populate_recordset(NULL::timer, $1::json)`, [JSON.stringify(rows.timers)]);
      await client.query(`INSERT INTO history_event (${historyColumns}) SELECT ${historyColumns} FROM json_populate_recordset(NULL::history_event, $1::json)`, [
        JSON.stringify(rows.history),
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
  return ids;
}

interface Fired {
  readonly lags: number[];
  readonly expected: number;
  readonly pendingAtStart: number;
  readonly firstFired: number;
  readonly lastFired: number;
  readonly byReplica: Record<string, number>;
  readonly cpuUs: number;
}

export const timersSection: Section = {
  name: 'timers',
  title: `(f) Timer firing lag with ≥ ${fmt(FAR)} pending timers: ${fmt(STREAM)} come due evenly over ${WINDOW_MS / 1000} s (${fmt((STREAM * 1000) / WINDOW_MS)}/s), then ${fmt(BURST)} at once; lag = fired_at − due_at`,
  async run(): Promise<Figure[]> {
    enableDecoratorMetadata();
    const [{ createApp }, { loadConfig }, { DeploymentsService }, { DeploymentRepository }, { CommandExecutor }, { ModelCache }] = await Promise.all([
      import('../src/app.factory.js'),
      import('../src/config/config.js'),
      import('../src/deployments/deployments.service.js'),
      import('../src/persistence/deployment.repository.js'),
      import('../src/runtime/command-executor.js'),
      import('../src/runtime/model-cache.js'),
    ]);
    const { name: databaseName, url } = await freshBenchDatabase();
    // application_name tells which replica's connection fired a timer (see the trigger below).
    const replicaUrl = (name: string) => `${url}?application_name=${name}`;
    const env = {
      REDIS_URL,
      BULLMQ_PREFIX: `fdbench_${randomBytes(4).toString('hex')}`,
      AUTH_JWT_SECRET: randomBytes(24).toString('hex'),
      PROCESSES_DIR: 'test/fixtures/no-processes',
      LOG_LEVEL: 'error',
    };
    const config = loadConfig({ ...env, DATABASE_URL: replicaUrl('replica-a'), PORT: '0' });
    let app: INestApplication | null = null;
    let build: EngineBuild | null = null;
    let second: EngineProcess | null = null;
    const db = new pg.Pool({ connectionString: replicaUrl('bench'), max: 2 });
    try {
      app = await createApp(config);
      await app.init();
      await app.get(DeploymentsService).deploy({ name: `${MODEL_KEY}.bpmn`, resources: [{ name: `${MODEL_KEY}.bpmn`, bytes: Buffer.from(MODEL_XML) }], deployedBy: null });
      const entity = (await app.get(DeploymentRepository).latestDefinition(MODEL_KEY))!;
      const definition: CachedDefinition = app.get(ModelCache).remember({ id: entity.id, key: entity.key, version: entity.version, deploymentId: entity.deploymentId, model: entity.model });
      // Bench instrumentation only: which connection (replica) flipped each timer to fired.
      await db.query(`CREATE TABLE bench_fired_by (key uuid PRIMARY KEY, replica text NOT NULL)`);
      await db.query(`CREATE FUNCTION bench_fired_by() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO bench_fired_by VALUES (NEW.key, current_setting('application_name')); RETURN NEW; END $$`);
      await db.query(`CREATE TRIGGER bench_fired_by AFTER UPDATE OF state ON timer FOR EACH ROW
        WHEN (OLD.state = 'pending' AND NEW.state = 'fired') EXECUTE FUNCTION bench_fired_by()`);

      const template = await app.get(CommandExecutor).start({ definition, actor: null, variables: { dueAt: TEMPLATE_DUE } });
      const farDue = Date.now() + 86_400_000;
      const seed0 = performance.now();
      await cloneInstances(db, template, Array.from({ length: FAR }, (_, i) => new Date(farDue + i * 10)));
      const seedMs = performance.now() - seed0;
      const seedRate = (FAR * 1000) / seedMs;

      const pendingCount = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM timer WHERE state = 'pending'`)).rows[0]!.n;
      /** Seeds timers due at `offsets` ms after a start shortly after seeding, waits until they fired (or 15 s past the last), reads the lags. */
      const fire = async (label: string, offsets: readonly number[]): Promise<Fired> => {
        // Due from 1 s after seeding should be over (at half the far-future copies' rate).
        const opensAt = Date.now() + 1000 + (offsets.length * 2000) / seedRate;
        const ids = await cloneInstances(db, template, offsets.map((o) => new Date(opensAt + o)));
        if (Date.now() >= opensAt) throw new Error(`${label}: seeding took longer than planned`);
        await db.query('ANALYZE timer');
        const pendingAtStart = await pendingCount();
        const firedCount = async () =>
          (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM timer WHERE process_instance_id = ANY($1::uuid[]) AND state = 'fired'`, [ids])).rows[0]!.n;
        await sleep(opensAt - Date.now());
        const cpu0 = process.cpuUsage();
        await sleep(Math.max(...offsets));
        const giveUpAt = Date.now() + 15_000;
        while ((await firedCount()) < ids.length && Date.now() < giveUpAt) await sleep(100);
        const cpu = process.cpuUsage(cpu0);
        const rows = (
          await db.query<{ lag: number; fired: number }>(
            `SELECT extract(epoch FROM fired_at - due_at) * 1000 AS lag, extract(epoch FROM fired_at) * 1000 AS fired
             FROM timer WHERE process_instance_id = ANY($1::uuid[]) AND state = 'fired'`,
            [ids],
          )
        ).rows.map((r) => ({ lag: Number(r.lag), fired: Number(r.fired) }));
        const byReplica = Object.fromEntries(
          (
            await db.query<{ replica: string; n: number }>(
              `SELECT b.replica, count(*)::int AS n FROM bench_fired_by b JOIN timer t ON t.key = b.key WHERE t.process_instance_id = ANY($1::uuid[]) GROUP BY 1 ORDER BY 1`,
              [ids],
            )
          ).rows.map((r) => [r.replica, r.n]),
        );
        const [{ completed, fires }] = (
          await db.query<{ completed: number; fires: number }>(
            `SELECT (SELECT count(*)::int FROM process_instance WHERE id = ANY($1::uuid[]) AND status = 'completed') AS completed,
                    (SELECT count(*)::int FROM history_event WHERE process_instance_id = ANY($1::uuid[]) AND type = 'timer.fired') AS fires`,
            [ids],
          )
        ).rows as [{ completed: number; fires: number }];
        if (completed !== rows.length || fires !== rows.length) throw new Error(`${label}: ${rows.length} timers fired, ${fires} timer.fired events, ${completed} instances completed`);
        const fired = rows.map((r) => r.fired);
        return {
          lags: rows.map((r) => r.lag).sort((a, b) => a - b),
          expected: ids.length,
          pendingAtStart,
          firstFired: Math.min(...fired),
          lastFired: Math.max(...fired),
          byReplica,
          cpuUs: cpu.user + cpu.system,
        };
      };
      const stream = Array.from({ length: STREAM }, (_, i) => Math.floor((i * WINDOW_MS) / STREAM));
      const burst = Array.from({ length: BURST }, () => 0);

      const figures: Figure[] = [];
      const rateNote = (r: Fired) => {
        const seconds = (r.lastFired - r.firstFired) / 1000;
        const replicas = Object.entries(r.byReplica).map(([name, n]) => `${name} ${fmt(n)}`).join(', ');
        return `${fmt(r.lags.length)} of ${fmt(r.expected)} fired, ${fmt(r.pendingAtStart)} pending at the start; ${fmt(r.lags.length / Math.max(seconds, 0.001))} fired/s first → last fired (${seconds.toFixed(1)} s); fired by ${replicas}`;
      };
      const report = (key: string, label: string, r: Fired, b: Fired) => {
        const p = (q: number) => percentile(r.lags, q);
        const met = p(99) < GOAL_P99_MS && r.lags.length === r.expected;
        const bSeconds = (b.lastFired - b.firstFired) / 1000;
        figures.push(
          { key: `${key}-p50`, label: `${label}, stream: lag p50`, value: p(50), unit: 'ms' },
          { key: `${key}-p95`, label: `${label}, stream: lag p95`, value: p(95), unit: 'ms' },
          { key: `${key}-p99`, label: `${label}, stream: lag p99`, value: p(99), unit: 'ms', note: `goal p99 < ${GOAL_P99_MS} ms: ${met ? 'MET' : 'MISSED'}` },
          { key: `${key}-max`, label: `${label}, stream: lag max`, value: r.lags[r.lags.length - 1] ?? Number.NaN, unit: 'ms' },
          { key: `${key}-fired`, label: `${label}, stream: fired`, value: r.lags.length, unit: 'timers', cpuUsPerOp: r.cpuUs / Math.max(1, r.lags.length), note: rateNote(r) },
          {
            key: `${key}-burst`,
            label: `${label}, burst of ${fmt(BURST)}: drain rate`,
            value: b.lags.length / Math.max(bSeconds, 0.001),
            unit: 'timers/s',
            usPerOp: (bSeconds * 1e6) / Math.max(1, b.lags.length),
            cpuUsPerOp: b.cpuUs / Math.max(1, b.lags.length),
            note: `lag p50 ${fmt(percentile(b.lags, 50))} ms, max ${fmt(b.lags[b.lags.length - 1])} ms; ${rateNote(b)}`,
          },
        );
      };

      report('one', '1 replica', await fire('one replica, stream', stream), await fire('one replica, burst', burst));

      // The same fireTimer command without the poller, at the poller's concurrency, on far-future
      // copies (the engine does not look at the due time): what one command costs here, SQL included.
      const direct = await cloneInstances(db, template, Array.from({ length: DIRECT }, () => new Date(farDue)));
      const keys = (await db.query<{ key: string; id: string }>(`SELECT key, process_instance_id AS id FROM timer WHERE process_instance_id = ANY($1::uuid[])`, [direct])).rows;
      const executor = app.get(CommandExecutor);
      let statements = 0;
      const shapes = new Map<string, number>();
      type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
      const original = (pg.Client.prototype as unknown as { query: QueryFn }).query;
      (pg.Client.prototype as unknown as { query: QueryFn }).query = function (this: pg.Client, ...args: unknown[]) {
        statements++;
        const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
        const shape = text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' ');
        shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
        return original.apply(this, args);
      };
      let directRun: { ops: number; wallMs: number; cpuUs: number };
      try {
        directRun = await forEachConcurrently(keys, DIRECT_CONCURRENCY, async (timer) => {
          if ((await executor.execute(timer.id, { type: 'fireTimer', timerKey: timer.key })) !== 'applied') throw new Error('a direct fire was stale');
        });
      } finally {
        (pg.Client.prototype as unknown as { query: QueryFn }).query = original;
      }
      figures.push({
        key: 'direct',
        label: `fireTimer via CommandExecutor, no poller, concurrency ${DIRECT_CONCURRENCY}`,
        value: (directRun.ops * 1000) / directRun.wallMs,
        unit: 'timers/s',
        usPerOp: (directRun.wallMs * 1000) / directRun.ops,
        cpuUsPerOp: directRun.cpuUs / directRun.ops,
        note: `${fmt(directRun.ops)} fires; ${(statements / directRun.ops).toFixed(1)} SQL statements per fire (the poller's idle queries during the run included): ${[...shapes]
          .filter(([, n]) => n >= directRun.ops / 2)
          .map(([shape, n]) => `${(n / directRun.ops).toFixed(1)}× ${shape}`)
          .join(', ')}`,
      });

      // The claim statement's plan (TimerRepository.claimDue, what each poll round runs) with the timers pending.
      const plan = (
        await db.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN UPDATE timer SET locked_until = now() + interval '30 seconds' WHERE key IN (
             SELECT key FROM timer WHERE state = 'pending' AND due_at <= now() AND (locked_until IS NULL OR locked_until < now())
             ORDER BY due_at LIMIT 200 FOR UPDATE SKIP LOCKED) RETURNING key`,
        )
      ).rows
        .map((r) => r['QUERY PLAN'].trim().replace(/\s+/g, ' '))
        .join(' | ');

      if (SECOND_REPLICA) {
        const { buildEngine, EngineProcess } = await import('../test/workers/engine-process.js');
        build = await buildEngine();
        second = await EngineProcess.start(build, { ...env, DATABASE_URL: replicaUrl('replica-b'), DATABASE_POOL_MAX: '20' });
        report('two', '2 replicas', await fire('two replicas, stream', stream), await fire('two replicas, burst', burst));
      }
      figures.push(
        { key: 'seed', label: `seeding: ${fmt(FAR)} far-future copies`, value: seedRate, unit: 'inst/s', note: 'bulk copies of one started instance (see the file header)' },
        { key: 'plan', label: 'claim statement plan (EXPLAIN)', value: Number.NaN, unit: '', note: plan },
      );
      return figures;
    } finally {
      if (second) {
        second.kill('SIGTERM');
        await second.exited;
      }
      await build?.remove();
      await db.end();
      if (app) await app.close();
      await dropDatabase(databaseName);
    }
  },
};
