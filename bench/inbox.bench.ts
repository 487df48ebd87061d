// (inbox) Big inboxes: 1,000,000 open tasks (plus 250,000 closed ones) over 50 groups and 10,000
// users, each user in 3 groups. Seeds a fresh database (migrated by the app's own start-up) with
// set-based INSERT … SELECT generate_series, then times the worklist's own SQL (TaskRepository /
// buildTaskQuery, exactly what GET /api/tasks runs) for sampled users, and the HTTP endpoint end to
// end. Prints EXPLAIN (ANALYZE, BUFFERS) of the default inbox and of a filtered count.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import type { TaskFilter, Viewer } from '../src/persistence/task-query.js';
import { dropDatabase, freshBenchDatabase } from './databases.js';
import { enableDecoratorMetadata } from './decorator-metadata.js';
import { fmt, type Figure, median, type Section } from './lib.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const OPEN_TASKS = Number(process.env.INBOX_OPEN_TASKS ?? 1_000_000);
const CLOSED_TASKS = Number(process.env.INBOX_CLOSED_TASKS ?? 250_000);
const INSTANCES = 100_000;
const GROUPS = 50;
const USERS = 10_000;
const DEFINITIONS = 20;
const CHUNK = 250_000;
/** Sampled users per measured query (each user once, after a warm-up). */
const SAMPLES = Number(process.env.INBOX_SAMPLES ?? 300);
const HTTP_SAMPLES = Number(process.env.INBOX_HTTP_SAMPLES ?? 200);

const groupName = (g: number) => `g${String(g).padStart(2, '0')}`;
const userName = (u: number) => `u${String(u).padStart(4, '0')}`;
/** User u belongs to three distinct groups. */
const groupsOf = (u: number) => [u % GROUPS, (u + 17) % GROUPS, (u + 33) % GROUPS].map(groupName);

async function appModules() {
  enableDecoratorMetadata();
  const [{ createApp }, { loadConfig }, { TaskRepository }, taskQuery, { signDevToken }] = await Promise.all([
    import('../src/app.factory.js'),
    import('../src/config/config.js'),
    import('../src/persistence/task.repository.js'),
    import('../src/persistence/task-query.js'),
    import('../src/identity/dev-token.js'),
  ]);
  return { createApp, loadConfig, TaskRepository, taskQuery, signDevToken };
}
type AppModules = Awaited<ReturnType<typeof appModules>>;

const TASK_NAMES = ['Approve invoice', 'Review contract', 'Check order', 'Call customer', 'Fix delivery address', 'Plan shipment', 'Verify identity'];

/** Seeds everything with set-based statements; returns seconds per step. */
async function seed(db: pg.Pool, log: (line: string) => void): Promise<void> {
  const client = await db.connect();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    await client.query(sql, params);
    log(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query('SELECT setseed(0.42)');
    const deployment = '00000000-0000-4000-8000-00000000d000';
    await step('definitions', `INSERT INTO deployment (id, name) VALUES ($1, 'inbox-bench')`, [deployment]);
    await client.query(
      `INSERT INTO process_definition (id, key, version, name, deployment_id, resource_name, xml, xml_hash, model)
       SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid, 'process-' || k, 1, 'Process ' || k, $1, 'p' || k || '.bpmn', '<definitions/>', md5(k::text),
         jsonb_build_object('id', 'process-' || k, 'dialect', 'zeebe', 'elements', '{}'::jsonb, 'flows', '{}'::jsonb,
           'scopes', jsonb_build_object('process-' || k, jsonb_build_object('id', 'process-' || k, 'kind', 'process', 'childIds', '[]'::jsonb, 'startEventIds', '[]'::jsonb, 'eventSubProcessIds', '[]'::jsonb)),
           'starters', jsonb_build_object('users', '[]'::jsonb, 'groups', '[]'::jsonb))
       FROM generate_series(0, $2 - 1) k`,
      [deployment, DEFINITIONS],
    );
    await step(
      `${INSTANCES.toLocaleString('en-US')} process instances`,
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, root_instance_id, state, started_at, updated_at)
       SELECT id, ('00000000-0000-4000-8000-' || lpad(to_hex(i % $2), 12, '0'))::uuid, 'process-' || (i % $2), 1, 'BK-' || i, 'active', id,
         jsonb_build_object('schema', 1, 'definitionKey', 'process-' || (i % $2), 'status', 'active', 'suspended', false, 'startedAt', now(),
           'variables', jsonb_build_object('amount', i % 1000, 'customer', 'c' || (i % 777), 'region', (ARRAY['north','south','east','west'])[i % 4 + 1]),
           'elements', '{}'::jsonb, 'waits', '{}'::jsonb, 'rootWaits', '[]'::jsonb, 'joins', '{}'::jsonb, 'incidents', '{}'::jsonb),
         now(), now()
       FROM (SELECT i, ('10000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid AS id FROM generate_series(1, $1) i) s`,
      [INSTANCES, DEFINITIONS],
    );
    await step(
      `directory: ${USERS.toLocaleString('en-US')} users, ${GROUPS} groups, 3 memberships each`,
      `WITH g AS (INSERT INTO directory_group (id) SELECT 'g' || lpad(k::text, 2, '0') FROM generate_series(0, $2 - 1) k RETURNING id),
            u AS (INSERT INTO directory_user (id, name) SELECT 'u' || lpad(k::text, 4, '0'), 'User ' || k FROM generate_series(0, $1 - 1) k RETURNING id)
       SELECT count(*) FROM g, (SELECT count(*) FROM u) x`,
      [USERS, GROUPS],
    );
    await client.query(
      `INSERT INTO directory_membership (user_id, group_id)
       SELECT 'u' || lpad(k::text, 4, '0'), 'g' || lpad(((k + o) % $2)::text, 2, '0') FROM generate_series(0, $1 - 1) k, unnest(ARRAY[0, 17, 33]) o`,
      [USERS, GROUPS],
    );

    // Secondary indexes are dropped for the bulk load and rebuilt from their own definitions
    // (what the migration created), as any bulk load does; the inbox trigger stays on.
    const indexes = await client.query<{ name: string; def: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
       WHERE i.indrelid IN ('user_task'::regclass, 'user_task_inbox'::regclass) AND NOT i.indisprimary`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX ${index.name}`);
    const total = OPEN_TASKS + CLOSED_TASKS;
    for (let lo = 1; lo <= total; lo += CHUNK) {
      const hi = Math.min(total, lo + CHUNK - 1);
      await step(
        `tasks ${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')}`,
        `INSERT INTO user_task (id, process_instance_id, element_id, element_instance_id, name, definition_key, business_key, state, assignee,
           candidate_groups, candidate_users, priority, due_at, follow_up_at, headers, created_at, ended_at, completed_by)
         SELECT gen_random_uuid(), ('10000000-0000-4000-8000-' || lpad(to_hex(pi), 12, '0'))::uuid, 'Task_' || (i % 7), 'ei-' || i,
           ($6::text[])[i % 7 + 1], 'process-' || (pi % $4), 'BK-' || pi,
           CASE WHEN i <= $3 THEN 'open' WHEN r1 < 0.1 THEN 'canceled' ELSE 'completed' END,
           CASE WHEN r1 < 0.2 OR i > $3 THEN 'u' || lpad(floor(r2 * $5)::int::text, 4, '0') END,
           CASE WHEN r3 < 0.1 THEN ARRAY['g' || lpad(g1::text, 2, '0'), 'g' || lpad(((g1 + 1 + floor(r5 * 49)::int) % 50)::text, 2, '0')]
                ELSE ARRAY['g' || lpad(g1::text, 2, '0')] END,
           CASE WHEN r6 < 0.05 THEN ARRAY['u' || lpad(floor(r7 * $5)::int::text, 4, '0')] ELSE '{}' END,
           floor(r8 * 101)::int,
           CASE WHEN r9 < 0.7 THEN now() + (r10 * 60 - 30) * interval '1 day' END,
           CASE WHEN r9 < 0.2 THEN now() + (r10 * 20 - 10) * interval '1 day' END,
           '{}'::jsonb,
           now() - r11 * interval '90 days',
           CASE WHEN i > $3 THEN now() - r12 * interval '30 days' END,
           CASE WHEN i > $3 AND r1 >= 0.1 THEN 'u' || lpad(floor(r2 * $5)::int::text, 4, '0') END
         FROM (SELECT i, (i % $7) + 1 AS pi, floor(random() * 50)::int AS g1, random() r1, random() r2, random() r3, random() r5, random() r6, random() r7,
                      random() r8, random() r9, random() r10, random() r11, random() r12
               FROM generate_series($1::int, $2::int) i) s`,
        [lo, hi, OPEN_TASKS, DEFINITIONS, USERS, TASK_NAMES, INSTANCES],
      );
    }
    // What the running service's compactor does every few seconds.
    const compacted = performance.now();
    let folded = 0;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `WITH gone AS (DELETE FROM user_task_count_delta RETURNING principal, delta),
              folded AS (INSERT INTO user_task_count AS c (principal, tasks) SELECT principal, sum(delta) FROM gone GROUP BY principal
                         ON CONFLICT (principal) DO UPDATE SET tasks = c.tasks + EXCLUDED.tasks)
         SELECT count(*)::int AS n FROM gone`,
      );
      folded += rows[0]!.n;
      if (rows[0]!.n === 0) break;
    }
    log(`  counter deltas still to fold: ${folded.toLocaleString('en-US')} (${((performance.now() - compacted) / 1000).toFixed(1)} s; the service folds them every 5 s)`);
    const t0 = performance.now();
    for (const index of indexes.rows) await client.query(index.def);
    log(`  ${indexes.rows.length} secondary indexes rebuilt: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Steady state: autovacuum keeps the visibility map current on a live system; index-only
    // scans of user_task_inbox rely on it.
    await step('VACUUM ANALYZE', 'VACUUM ANALYZE');
  } finally {
    client.release();
  }
}

// ───────────────────────────── measuring ─────────────────────────────

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Deterministic sample of user numbers. */
function sampleUsers(count: number, salt: number): number[] {
  let x = 0x9e3779b9 ^ salt;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push((x >>> 0) % USERS);
  }
  return out;
}

interface Latency {
  p50: number;
  p95: number;
  max: number;
}

async function time(samples: readonly number[], work: (user: number) => Promise<unknown>): Promise<Latency> {
  for (const user of samples.slice(0, 30)) await work(user); // warm-up
  const ms: number[] = [];
  for (const user of samples) {
    const t0 = performance.now();
    await work(user);
    ms.push(performance.now() - t0);
  }
  return { p50: median(ms), p95: percentile(ms, 95), max: Math.max(...ms) };
}

function latencyFigures(key: string, label: string, l: Latency, target?: number): Figure[] {
  const verdict = target === undefined ? '' : l.p95 < target ? ` (target p95 < ${target} ms: met)` : ` (target p95 < ${target} ms: NOT met)`;
  return [
    { key: `${key}.p50`, label: `${label} p50`, value: l.p50, unit: 'ms' },
    { key: `${key}.p95`, label: `${label} p95`, value: l.p95, unit: 'ms', note: `max ${fmt(l.max)} ms${verdict}` },
  ];
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Heap Fetches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** One line per plan node: type, index, rows, heap fetches, buffers. */
function planLines(node: PlanNode, depth = 0): string[] {
  const parts = [node['Node Type']];
  if (node['Index Name']) parts.push(`using ${node['Index Name']}`);
  else if (node['Relation Name']) parts.push(`on ${node['Relation Name']}`);
  parts.push(`rows=${node['Actual Rows'] ?? '?'}`);
  if (node['Heap Fetches'] !== undefined) parts.push(`heap fetches=${node['Heap Fetches']}`);
  parts.push(`buffers hit=${node['Shared Hit Blocks'] ?? 0} read=${node['Shared Read Blocks'] ?? 0}`);
  return [`${'  '.repeat(depth + 2)}${parts.join('  ')}`, ...(node.Plans ?? []).flatMap((child) => planLines(child, depth + 1))];
}

async function explain(db: pg.Pool, title: string, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const [plan] = rows[0]!['QUERY PLAN'];
  return [`  ${title}: execution ${plan['Execution Time'].toFixed(2)} ms, planning ${plan['Planning Time'].toFixed(2)} ms`, ...planLines(plan.Plan)].join('\n');
}

// ───────────────────────────── the section ─────────────────────────────

export const inboxSection: Section = {
  name: 'inbox',
  title: `(inbox) Worklist queries at ${OPEN_TASKS.toLocaleString('en-US')} open tasks (+${CLOSED_TASKS.toLocaleString('en-US')} closed), ${GROUPS} groups, ${USERS.toLocaleString('en-US')} users in 3 groups each; latencies over ${SAMPLES} sampled users, one query at a time`,
  async run(): Promise<Figure[]> {
    const modules = await appModules();
    const { name: databaseName, url } = await freshBenchDatabase();
    const secret = randomBytes(24).toString('hex');
    const config = modules.loadConfig({
      DATABASE_URL: url,
      REDIS_URL,
      BULLMQ_PREFIX: `fdbench_${randomBytes(4).toString('hex')}`,
      AUTH_JWT_SECRET: secret,
      PROCESSES_DIR: 'test/fixtures/no-processes',
      LOG_LEVEL: 'error',
      PORT: '0',
    });
    let app: INestApplication | null = null;
    const db = new pg.Pool({ connectionString: url, max: 4 });
    try {
      app = await modules.createApp(config);
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      const log = (line: string) => console.log(line);
      log(`\n(inbox) seeding ${databaseName}`);
      const seeded = performance.now();
      await seed(db, log);
      const seedSeconds = (performance.now() - seeded) / 1000;
      const sizes = (
        await db.query<{ tasks: string; inbox: string; open: number }>(
          `SELECT pg_size_pretty(pg_total_relation_size('user_task')) AS tasks, pg_size_pretty(pg_total_relation_size('user_task_inbox')) AS inbox,
                  (SELECT count(*)::int FROM user_task WHERE state = 'open') AS open`,
        )
      ).rows[0]!;

      const repository = app.get(modules.TaskRepository);
      const { buildTaskQuery } = modules.taskQuery;
      const now = new Date();
      const viewer = (u: number): Viewer => ({ id: userName(u), groups: groupsOf(u), admin: false });
      const filter = (extra: Partial<TaskFilter> = {}): TaskFilter => ({ state: 'open', sort: 'due', order: 'asc', page: 1, size: 50, now, ...extra });
      const users = sampleUsers(SAMPLES, 1);
      const figures: Figure[] = [];

      // Warm-up (caches after the bulk load), and how big is a user's inbox?
      const totals: number[] = [];
      for (const u of users) totals.push((await repository.list(filter(), viewer(u))).total);
      figures.push({ key: 'inbox.size', label: 'tasks in a sampled user’s default inbox (median)', value: median(totals), unit: 'tasks', note: `min ${Math.min(...totals)}, max ${Math.max(...totals)}` });

      const page = (u: number, extra: Partial<TaskFilter> = {}) => {
        const built = buildTaskQuery(filter(extra), viewer(u));
        return db.query(built.pageSql, built.pageParams);
      };
      const count = (u: number, extra: Partial<TaskFilter> = {}) => {
        const built = buildTaskQuery(filter(extra), viewer(u));
        return db.query(built.countSql, built.countParams);
      };

      figures.push(
        ...latencyFigures('inbox.default', 'default inbox, first page (50, sort=due) + total, as GET /api/tasks runs it:', await time(users, (u) => repository.list(filter(), viewer(u))), 20),
        ...latencyFigures('inbox.page', '  its page query alone', await time(users, (u) => page(u))),
        ...latencyFigures('inbox.count', '  its total alone (counters + shared tasks de-duplicated)', await time(users, (u) => count(u))),
        ...latencyFigures('inbox.created', 'default inbox sorted by created (API default) + total', await time(users, (u) => repository.list(filter({ sort: 'created' }), viewer(u))), 20),
        ...latencyFigures('inbox.priority', 'default inbox sorted by priority desc + total', await time(users, (u) => repository.list(filter({ sort: 'priority', order: 'desc' }), viewer(u))), 20),
        ...latencyFigures('count.definition', 'filtered count: inbox + definitionKey', await time(users, (u) => count(u, { definitionKey: `process-${u % DEFINITIONS}` })), 50),
        ...latencyFigures('count.overdue', 'filtered count: inbox + overdue=true', await time(users, (u) => count(u, { overdue: true })), 50),
        ...latencyFigures('count.priority', 'filtered count: inbox + priorityMin=80 + dueBefore=+7d', await time(users, (u) => count(u, { priorityMin: 80, dueBefore: new Date(now.getTime() + 7 * 86_400_000) })), 50),
        ...latencyFigures('list.filtered', 'filtered list + total: inbox + definitionKey, sort=due', await time(users, (u) => repository.list(filter({ definitionKey: `process-${u % DEFINITIONS}` }), viewer(u)))),
        ...latencyFigures('count.q', 'filtered count: inbox + q=“contract” (1 task name in 7)', await time(users, (u) => count(u, { q: 'contract' })), 50),
        ...latencyFigures('list.q', 'text search list + total: inbox + q=“contract”, sort=due', await time(users.slice(0, 100), (u) => repository.list(filter({ q: 'contract' }), viewer(u)))),
        ...latencyFigures('list.group', 'team view + total: candidateGroup=<one of mine>, sort=due (~22,000 tasks)', await time(users.slice(0, 100), (u) => repository.list(filter({ candidateGroup: groupsOf(u)[0]! }), viewer(u)))),
        ...latencyFigures('list.group.filtered', 'team view + total + definitionKey (counted on user_task)', await time(users.slice(0, 100), (u) => repository.list(filter({ candidateGroup: groupsOf(u)[0]!, definitionKey: `process-${u % DEFINITIONS}` }), viewer(u)))),
      );
      // withVariables: the page plus the state documents of its instances.
      figures.push(
        ...latencyFigures(
          'inbox.variables',
          'default inbox + total + variables of the 50 tasks (withVariables=true)',
          await time(users.slice(0, 100), async (u) => {
            const { items } = await repository.list(filter(), viewer(u));
            await repository.instanceStates(items.map((task) => task.processInstanceId));
          }),
        ),
      );

      // End to end: token check, directory groups, SQL, JSON.
      const tokens = new Map<number, string>();
      const httpUsers = sampleUsers(HTTP_SAMPLES, 2);
      for (const u of httpUsers) tokens.set(u, await modules.signDevToken({ user: userName(u) }, secret));
      const viaHttp = async (u: number) => {
        const res = await fetch(`${base}/api/tasks?sort=due`, { headers: { authorization: `Bearer ${tokens.get(u)}` } });
        const body = (await res.json()) as { total: number };
        if (res.status !== 200 || body.total === 0) throw new Error(`GET /api/tasks answered ${res.status}`);
      };
      figures.push(...latencyFigures('http.inbox', 'GET /api/tasks?sort=due over HTTP (JWT, directory groups, JSON)', await time(httpUsers, viaHttp), 20));

      // Admin sees all: the default inbox is every unassigned task.
      const admin: Viewer = { id: 'ada', groups: ['admin'], admin: true };
      figures.push(...latencyFigures('inbox.admin', 'admin default inbox + total (~800,000 unassigned tasks)', await time(users.slice(0, 50), () => repository.list(filter(), admin))));

      const sample = users[0]!;
      const inbox = buildTaskQuery(filter(), viewer(sample));
      const filtered = buildTaskQuery(filter({ definitionKey: `process-${sample % DEFINITIONS}`, overdue: true }), viewer(sample));
      console.log(`\n  seeded in ${seedSeconds.toFixed(0)} s: ${sizes.open.toLocaleString('en-US')} open tasks; user_task ${sizes.tasks} with indexes, user_task_inbox ${sizes.inbox}`);
      console.log(`  EXPLAIN (ANALYZE, BUFFERS) for ${userName(sample)} in ${groupsOf(sample).join(', ')}:`);
      console.log(await explain(db, 'default inbox page (sort=due, first 50)', inbox.pageSql, inbox.pageParams));
      console.log(await explain(db, `default inbox total (${inbox.countSource})`, inbox.countSql, inbox.countParams));
      console.log(await explain(db, `filtered count, definitionKey + overdue (${filtered.countSource})`, filtered.countSql, filtered.countParams));
      const team = buildTaskQuery(filter({ candidateGroup: groupsOf(sample)[0]! }), viewer(sample));
      console.log(await explain(db, 'team view page (candidateGroup)', team.pageSql, team.pageParams));
      return figures;
    } finally {
      await db.end().catch(() => undefined);
      await app?.close().catch(() => undefined);
      // INBOX_KEEP_DB=1 keeps the seeded database for EXPLAIN sessions (dropped by the next run).
      if (process.env.INBOX_KEEP_DB === '1') console.log(`  kept database ${databaseName}`);
      else await dropDatabase(databaseName).catch(() => undefined);
    }
  },
};
