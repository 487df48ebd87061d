import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { RuntimeTransaction } from './runtime-transaction.js';

/** `engine`: a BPMN timer event of an instance; `start`: a timer start event of a definition; `task-deadline`: a user task's reminder/escalation/overdue notice. */
export type TimerKind = 'engine' | 'start' | 'task-deadline';

/** The first occurrence of a timer start event of a definition's latest version (src/timers/start-timers.ts). */
export interface StartTimerSpec {
  readonly elementId: string;
  readonly dueAt: Date;
  readonly timer: Record<string, unknown>;
}

/** A pending start timer as it is fired (inside the command's transaction). */
export interface FiredStartTimer {
  readonly key: string;
  readonly definitionId: string;
  readonly elementId: string;
  readonly dueAt: Date;
  readonly timer: Record<string, unknown>;
}

export interface DueTimer {
  key: string;
  kind: TimerKind;
  processInstanceId: string | null;
  definitionId: string | null;
  elementId: string;
  taskId: string | null;
  dueAt: Date;
  /** The row's `timer` document (what to do and how it repeats; its shape depends on the kind). */
  timer: Record<string, unknown>;
}

@Injectable()
export class TimerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` due timers for `leaseMs`: a short transaction of its own, with SKIP LOCKED
   * so replicas polling together take disjoint sets. Exactly-once firing does not rest on the
   * lease (the engine refuses a timer whose wait is gone); the lease only avoids wasted work.
   */
  async claimDue(limit: number, leaseMs: number): Promise<DueTimer[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount].
    const [rows] = await this.dataSource.query(
      `UPDATE timer SET locked_until = now() + ($2 || ' milliseconds')::interval
       WHERE key IN (
         SELECT key FROM timer
         WHERE state = 'pending' AND due_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING key, kind, process_instance_id AS "processInstanceId", definition_id AS "definitionId", element_id AS "elementId",
                 task_id AS "taskId", due_at AS "dueAt", timer`,
      [limit, String(leaseMs)],
    );
    return rows as DueTimer[];
  }

  /** The engine no longer waits for it (its element left, the instance ended): never fire it. */
  async cancel(key: string): Promise<void> {
    await this.dataSource.query(`UPDATE timer SET state = 'canceled', locked_until = NULL WHERE key = $1 AND state = 'pending'`, [key]);
  }

  /** Try again after `delayMs` (e.g. the instance is suspended). */
  async release(key: string, delayMs: number): Promise<void> {
    await this.dataSource.query(`UPDATE timer SET locked_until = now() + ($2 || ' milliseconds')::interval WHERE key = $1 AND state = 'pending'`, [key, String(delayMs)]);
  }

  /** When the earliest pending timer is due (to sleep just long enough), or null. */
  async nextDueAt(): Promise<Date | null> {
    // A leased timer (suspended instance, another replica's claim) is not claimable now: counting it
    // made an idle poller re-poll every 10 ms for as long as the lease lasted.
    const [row] = await this.dataSource.query(
      `SELECT min(due_at) AS "dueAt" FROM timer WHERE state = 'pending' AND (locked_until IS NULL OR locked_until < now())`,
    );
    return (row as { dueAt: Date | null }).dueAt;
  }

  async instanceStatus(instanceId: string): Promise<string | null> {
    const [row] = await this.dataSource.query(`SELECT status FROM process_instance WHERE id = $1`, [instanceId]);
    return (row as { status: string } | undefined)?.status ?? null;
  }

  /**
   * Makes the pending start timers of `definitionKey` those of its latest version: pending rows of
   * older versions are canceled, and each timer start event of the latest version that never had a
   * row gets its first occurrence from `plan` (a start event with any row — pending, fired or
   * canceled — is left alone: its chain exists or is exhausted, so a restart never duplicates or
   * revives it). Exclusive per-key advisory lock: racing deploys and repairs serialise, and firing
   * (which holds the lock shared) never interleaves with a reschedule.
   */
  async syncStartTimers(
    definitionKey: string,
    plan: (latest: { id: string; model: unknown }) => StartTimerSpec[],
    now: Date,
  ): Promise<{ definitionId: string | null; canceled: number; scheduled: number }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [startTimerLock(definitionKey)]);
      const [latest]: { id: string; model: unknown }[] = await manager.query(
        'SELECT id, model FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1',
        [definitionKey],
      );
      const canceled = affectedRows(
        await manager.query(
          `UPDATE timer t SET state = 'canceled', locked_until = NULL FROM process_definition d
           WHERE d.id = t.definition_id AND d.key = $1 AND t.kind = 'start' AND t.state = 'pending' AND t.definition_id IS DISTINCT FROM $2::uuid
           RETURNING t.key`,
          [definitionKey, latest?.id ?? null],
        ),
      ).length;
      if (!latest) return { definitionId: null, canceled, scheduled: 0 };
      let scheduled = 0;
      for (const spec of plan(latest)) {
        scheduled += await insertStartTimer(manager, { definitionId: latest.id, ...spec, createdAt: now, onlyIfNone: true });
      }
      return { definitionId: latest.id, canceled, scheduled };
    });
  }

  /**
   * Keys whose start timers do not match their latest version: a latest version with a timer start
   * event that never had a row (a crash between a deploy's commit and its reschedule, or models
   * deployed before this existed), or pending start timers of a version that is no longer latest.
   */
  async keysWithStaleStartTimers(): Promise<string[]> {
    const rows: { key: string }[] = await this.dataSource.query(
      `WITH latest AS (SELECT DISTINCT ON (key) key, id FROM process_definition ORDER BY key, version DESC)
       SELECT l.key FROM latest l JOIN process_definition d ON d.id = l.id
       WHERE EXISTS (
         SELECT 1 FROM jsonb_array_elements_text(coalesce(d.model->'scopes'->(d.model->>'id')->'startEventIds', '[]'::jsonb)) AS s(id)
         WHERE d.model->'elements'->s.id->'eventDefinition'->>'type' = 'timer'
           AND NOT EXISTS (SELECT 1 FROM timer t WHERE t.kind = 'start' AND t.definition_id = l.id AND t.element_id = s.id))
       UNION
       SELECT d.key FROM timer t JOIN process_definition d ON d.id = t.definition_id JOIN latest l ON l.key = d.key
       WHERE t.kind = 'start' AND t.state = 'pending' AND t.definition_id <> l.id
       ORDER BY 1`,
    );
    return rows.map((r) => r.key);
  }

  /** Start-timer statements on an engine command's connection (the firing transaction). */
  startTimersIn(tx: RuntimeTransaction): StartTimerStatements {
    return new StartTimerStatements(tx.queryRunner);
  }
}

/**
 * What firing a start timer does inside the CommandSession's transaction, so the row flips to
 * fired, the next occurrence is inserted and the instance starts atomically.
 */
export class StartTimerStatements {
  constructor(private readonly runner: QueryRunner) {}

  /** Shared per-key lock: fires of one key run together, a reschedule (exclusive) waits for them. */
  async lockKeyShared(definitionKey: string): Promise<void> {
    await this.runner.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [startTimerLock(definitionKey)]);
  }

  /** Pending → fired; null when it is no longer pending (another replica fired it, a redeploy canceled it). */
  async markFired(key: string, now: Date): Promise<FiredStartTimer | null> {
    const rows = affectedRows<FiredStartTimer>(
      await this.runner.query(
        `UPDATE timer SET state = 'fired', fired_at = $2, locked_until = NULL WHERE key = $1 AND kind = 'start' AND state = 'pending'
         RETURNING key, definition_id AS "definitionId", element_id AS "elementId", due_at AS "dueAt", timer`,
        [key, now],
      ),
    );
    return rows[0] ?? null;
  }

  /** A start timer of a version that is no longer the latest: never fire it. */
  async markCanceled(key: string): Promise<boolean> {
    const rows = affectedRows(
      await this.runner.query(`UPDATE timer SET state = 'canceled', locked_until = NULL WHERE key = $1 AND kind = 'start' AND state = 'pending' RETURNING key`, [key]),
    );
    return rows.length > 0;
  }

  /** The next occurrence of a cycle. */
  async schedule(row: { definitionId: string; elementId: string; dueAt: Date; timer: Record<string, unknown>; createdAt: Date }): Promise<void> {
    await insertStartTimer(this.runner, { ...row, onlyIfNone: false });
  }

  /** `timer.fired` in the started instance's history (written before the engine's rows, so it comes first). */
  async recordFired(instanceId: string, elementId: string, timerKey: string, at: Date): Promise<void> {
    await this.runner.query(
      `INSERT INTO history_event (process_instance_id, at, type, element_id, element_instance_id, actor, data) VALUES ($1, $2, 'timer.fired', $3, NULL, NULL, $4)`,
      [instanceId, at, elementId, JSON.stringify({ timerKey, role: 'start' })],
    );
  }
}

function startTimerLock(definitionKey: string): string {
  return `start-timers:${definitionKey}`;
}

/** An EntityManager or a QueryRunner: whatever runs the statement in the right transaction. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

async function insertStartTimer(
  manager: Queryable,
  row: { definitionId: string; elementId: string; dueAt: Date; timer: Record<string, unknown>; createdAt: Date; onlyIfNone: boolean },
): Promise<number> {
  const inserted = affectedRows(
    await manager.query(
      `INSERT INTO timer (key, kind, process_instance_id, definition_id, element_id, element_instance_id, due_at, state, timer, created_at)
       SELECT gen_random_uuid(), 'start', NULL, $1, $2, NULL, $3, 'pending', $4, $5
       WHERE NOT $6 OR NOT EXISTS (SELECT 1 FROM timer WHERE kind = 'start' AND definition_id = $1 AND element_id = $2)
       RETURNING key`,
      [row.definitionId, row.elementId, row.dueAt, JSON.stringify(row.timer), row.createdAt, row.onlyIfNone],
    ),
  );
  return inserted.length;
}

/** TypeORM answers UPDATE/DELETE/INSERT … RETURNING with [rows, count] (INSERT: rows). */
function affectedRows<T = unknown>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
