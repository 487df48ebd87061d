import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worklist: the user/group directory, task comments, and the indexes that keep big inboxes
 * fast (1,000,000 open tasks over 50 groups and 10,000 users, see bench/inbox.bench.ts).
 *
 * Why more than indexes on user_task: a user's inbox page is cheap (an index scan in
 * due/created/priority/name order that filters visibility), but its *total* means counting every
 * task offered to the caller's groups. A GIN index on `candidate_groups` finds those rows, yet
 * PostgreSQL must still read each one from the heap to count it (GIN has no index-only scans):
 * ~50,000 tasks for a user in 3 of 50 groups took 150+ ms. So, maintained by statement-level
 * triggers on user_task:
 * - `user_task_inbox`: one narrow row per (principal, open task) that would appear in that
 *   principal's default inbox, with the filterable columns; a filtered total is an index-only scan
 *   of its primary key. `shared` marks tasks reaching several principals (only those need DISTINCT).
 * - `user_task_count` + `user_task_count_delta`: per-key open-task counts for the unfiltered
 *   totals (inbox, team view, admin). Triggers only append deltas (so concurrent task writes never
 *   wait on a counter row); TasksModule's compactor folds them into the totals every few seconds.
 */
export class Worklist1764800000000 implements MigrationInterface {
  name = 'Worklist1764800000000';

  async up(q: QueryRunner): Promise<void> {
    // ── directory ──
    await q.query(`
      CREATE TABLE directory_user (
        id text PRIMARY KEY,
        name text,
        email text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE directory_group (
        id text PRIMARY KEY,
        name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE directory_membership (
        user_id text NOT NULL REFERENCES directory_user(id) ON DELETE CASCADE,
        group_id text NOT NULL REFERENCES directory_group(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, group_id)
      )`);
    await q.query(`CREATE INDEX directory_membership_group ON directory_membership (group_id, user_id)`);

    // ── comments ──
    await q.query(`
      CREATE TABLE task_comment (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES user_task(id) ON DELETE CASCADE,
        process_instance_id uuid NOT NULL,
        author text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX task_comment_task ON task_comment (task_id, created_at, id)`);

    // ── task indexes: open tasks are what inboxes read; closed ones only pile up ──
    // Sort orders (ORDER BY <column> <dir>, id <dir>): one index each, scanned forwards or backwards.
    await q.query(`CREATE INDEX user_task_open_created ON user_task (created_at, id) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_open_due ON user_task (due_at, id) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_open_priority ON user_task (priority, id) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_open_name ON user_task (name, id) WHERE state = 'open'`);
    // Visibility: assignee = me OR candidate_users @> {me} OR candidate_groups && {my groups}.
    await q.query(`CREATE INDEX user_task_open_assignee ON user_task (assignee) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_open_groups ON user_task USING gin (candidate_groups) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_open_users ON user_task USING gin (candidate_users) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_open_definition ON user_task (definition_key, due_at, id) WHERE state = 'open'`);
    await q.query(`CREATE INDEX user_task_business_key ON user_task (business_key) WHERE business_key IS NOT NULL`);
    // Completed/canceled tasks: "what did I do", newest first.
    await q.query(`CREATE INDEX user_task_closed_created ON user_task (created_at, id) WHERE state <> 'open'`);
    await q.query(`CREATE INDEX user_task_closed_assignee ON user_task (assignee, created_at) WHERE state <> 'open'`);
    // `q` (text in the task name) with a trigram index where the extension may be installed; without
    // it the search still works, by scanning.
    await q.query(`
      DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX user_task_open_name_trgm ON user_task USING gin (name gin_trgm_ops) WHERE state = 'open';
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%): task name search will scan', SQLERRM;
      END $$`);

    // ── inbox side table and counters ──
    await q.query(`
      CREATE TABLE user_task_inbox (
        principal text NOT NULL,
        task_id uuid NOT NULL,
        shared boolean NOT NULL,
        definition_key text NOT NULL,
        due_at timestamptz,
        priority integer NOT NULL,
        name text,
        PRIMARY KEY (principal, definition_key, task_id) INCLUDE (shared, due_at, priority, name)
      )`);
    await q.query(`CREATE INDEX user_task_inbox_task ON user_task_inbox (task_id)`);
    await q.query(`CREATE INDEX user_task_inbox_shared ON user_task_inbox (principal, task_id) WHERE shared`);
    // Open-task counts per key, as compacted totals plus a log of deltas the triggers append (no
    // row is ever updated by two transactions, so task writes never queue behind a counter).
    // Keys: an inbox principal ('u:'/'g:') for tasks that reach only that principal, 't:<group>'
    // for every open task offered to a group, and 'a:unassigned'.
    await q.query(`CREATE TABLE user_task_count (principal text PRIMARY KEY, tasks bigint NOT NULL)`);
    await q.query(`CREATE TABLE user_task_count_delta (id bigserial PRIMARY KEY, principal text NOT NULL, delta bigint NOT NULL)`);
    await q.query(`CREATE INDEX user_task_count_delta_principal ON user_task_count_delta (principal) INCLUDE (delta)`);

    // Who has an open task in their default inbox: its assignee alone, or, unassigned, every
    // candidate group ('g:<name>') and candidate user ('u:<id>').
    await q.query(`
      CREATE FUNCTION user_task_inbox_keys(assignee text, groups text[], users text[]) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN assignee IS NOT NULL THEN ARRAY['u:' || assignee]
          ELSE ARRAY(SELECT DISTINCT k FROM (SELECT 'g:' || g AS k FROM unnest(groups) g UNION ALL SELECT 'u:' || u FROM unnest(users) u) x)
        END
      $$`);
    // The counters a task adds one to while it is open.
    await q.query(`
      CREATE FUNCTION user_task_count_keys(state text, assignee text, groups text[], users text[]) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN state <> 'open' THEN '{}'::text[] ELSE
          (SELECT CASE WHEN cardinality(k) = 1 THEN k ELSE '{}'::text[] END FROM user_task_inbox_keys(assignee, groups, users) k)
          || ARRAY(SELECT DISTINCT 't:' || g FROM unnest(groups) g)
          || CASE WHEN assignee IS NULL THEN ARRAY['a:unassigned'] ELSE '{}'::text[] END
        END
      $$`);
    const rows = (source: string) => `
      SELECT k.key, n.id, cardinality(ks.keys) > 1, n.definition_key, n.due_at, n.priority, n.name
      FROM ${source}
      CROSS JOIN LATERAL (SELECT user_task_inbox_keys(n.assignee, n.candidate_groups, n.candidate_users) AS keys) ks
      CROSS JOIN LATERAL unnest(ks.keys) k(key)`;
    const counts = (source: string, sign: string, where: string) =>
      `SELECT key, ${sign}1 AS d FROM ${source} CROSS JOIN LATERAL unnest(user_task_count_keys(n.state, n.assignee, n.candidate_groups, n.candidate_users)) key ${where}`;
    // The inbox-relevant columns; an update touching none of them leaves the side table alone.
    const changed = `(o.state IS DISTINCT FROM n.state OR o.assignee IS DISTINCT FROM n.assignee
      OR o.candidate_groups IS DISTINCT FROM n.candidate_groups OR o.candidate_users IS DISTINCT FROM n.candidate_users
      OR o.due_at IS DISTINCT FROM n.due_at OR o.priority IS DISTINCT FROM n.priority OR o.definition_key IS DISTINCT FROM n.definition_key
      OR o.name IS DISTINCT FROM n.name)`;
    const insertInbox = 'INSERT INTO user_task_inbox (principal, task_id, shared, definition_key, due_at, priority, name)';
    const insertDelta = 'INSERT INTO user_task_count_delta (principal, delta) SELECT key, sum(d) FROM';
    await q.query(`
      CREATE FUNCTION user_task_inbox_fill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${insertInbox} ${rows('new_rows n')} WHERE n.state = 'open';
          ${insertDelta} (${counts('new_rows n', '+', '')}) d GROUP BY key ORDER BY key;
        ELSIF TG_OP = 'UPDATE' THEN
          DELETE FROM user_task_inbox i USING new_rows n JOIN old_rows o ON o.id = n.id WHERE i.task_id = n.id AND ${changed};
          ${insertInbox} ${rows('new_rows n JOIN old_rows o ON o.id = n.id')} WHERE n.state = 'open' AND ${changed};
          ${insertDelta} (
            ${counts('new_rows n JOIN old_rows o ON o.id = n.id', '+', `WHERE ${changed}`)}
            UNION ALL
            ${counts('old_rows n JOIN new_rows o ON o.id = n.id', '-', `WHERE ${changed}`)}
          ) d GROUP BY key HAVING sum(d) <> 0 ORDER BY key;
        ELSE
          DELETE FROM user_task_inbox i USING old_rows o WHERE i.task_id = o.id;
          ${insertDelta} (${counts('old_rows n', '-', '')}) d GROUP BY key ORDER BY key;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER user_task_inbox_insert AFTER INSERT ON user_task REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_task_inbox_fill()`);
    await q.query(`CREATE TRIGGER user_task_inbox_update AFTER UPDATE ON user_task REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_task_inbox_fill()`);
    await q.query(`CREATE TRIGGER user_task_inbox_delete AFTER DELETE ON user_task REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_task_inbox_fill()`);
    // Tasks that were open before this migration.
    await q.query(`${insertInbox} ${rows('user_task n')} WHERE n.state = 'open'`);
    await q.query(`INSERT INTO user_task_count (principal, tasks) SELECT key, sum(d) FROM (${counts('user_task n', '+', '')}) d GROUP BY key`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const trigger of ['user_task_inbox_insert', 'user_task_inbox_update', 'user_task_inbox_delete']) {
      await q.query(`DROP TRIGGER IF EXISTS ${trigger} ON user_task`);
    }
    await q.query(`DROP FUNCTION IF EXISTS user_task_inbox_fill()`);
    await q.query(`DROP FUNCTION IF EXISTS user_task_count_keys(text, text, text[], text[])`);
    await q.query(`DROP FUNCTION IF EXISTS user_task_inbox_keys(text, text[], text[])`);
    for (const table of ['user_task_count_delta', 'user_task_count', 'user_task_inbox']) await q.query(`DROP TABLE IF EXISTS ${table}`);
    for (const index of [
      'user_task_open_created', 'user_task_open_due', 'user_task_open_priority', 'user_task_open_name', 'user_task_open_assignee',
      'user_task_open_groups', 'user_task_open_users', 'user_task_open_definition', 'user_task_business_key',
      'user_task_closed_created', 'user_task_closed_assignee', 'user_task_open_name_trgm',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
    await q.query(`DROP TABLE IF EXISTS task_comment`);
    await q.query(`DROP TABLE IF EXISTS directory_membership`);
    await q.query(`DROP TABLE IF EXISTS directory_group`);
    await q.query(`DROP TABLE IF EXISTS directory_user`);
  }
}
