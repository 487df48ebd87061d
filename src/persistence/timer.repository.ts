import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** `engine`: a BPMN timer event of an instance; `start`: a timer start event of a definition; `task-deadline`: a user task's reminder/escalation/overdue notice. */
export type TimerKind = 'engine' | 'start' | 'task-deadline';

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
    const [row] = await this.dataSource.query(`SELECT min(due_at) AS "dueAt" FROM timer WHERE state = 'pending'`);
    return (row as { dueAt: Date | null }).dueAt;
  }

  async instanceStatus(instanceId: string): Promise<string | null> {
    const [row] = await this.dataSource.query(`SELECT status FROM process_instance WHERE id = $1`, [instanceId]);
    return (row as { status: string } | undefined)?.status ?? null;
  }
}
