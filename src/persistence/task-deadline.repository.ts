import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { addDuration, parseIsoDuration } from '../expressions/index.js';

/** The `timer` document of a `task-deadline` row (written by src/runtime/effect-rows.ts). */
export interface DeadlineDocument {
  deadline: 'reminder' | 'overdue' | 'escalation';
  /** Repeat interval of reminders (ISO duration). */
  every?: string;
  escalateTo?: string;
  /** 1 for the first reminder of a task, then 2, 3… (part of the mail's dedupe key). */
  occurrence?: number;
}

/** A recipient in the MailRequest form of src/notifications (JSON in an outbox row). */
type Recipient = { user: string } | { group: string };

export type DeadlineOutcome =
  | { readonly kind: 'fired'; readonly deadline: DeadlineDocument['deadline']; readonly taskId: string; readonly next: Date | null }
  /** The task is no longer open, or the row was fired/canceled by someone else: nothing to do. */
  | { readonly kind: 'gone' }
  /** The instance is suspended: try again later. */
  | { readonly kind: 'held' };

interface LockedDeadline {
  key: string;
  taskId: string;
  dueAt: Date;
  timer: DeadlineDocument;
  processInstanceId: string;
  elementId: string;
  elementInstanceId: string;
  definitionId: string | null;
  taskState: string;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  instanceStatus: string;
}

const HELD_RETRY_MS = 5_000;
/** After downtime a repeating reminder resumes at its next future slot instead of mailing every missed one. */
const MAX_CATCH_UP_STEPS = 10_000;

/**
 * Fires user-task deadlines (jBPM-style reminders, escalations, overdue notices). One transaction
 * per deadline: the timer row and the task are locked, the row flips from pending to fired, and the
 * task change, its history and its mail (an outbox row `mail.notify`) are written together, so a
 * deadline acts exactly once however many replicas poll, and a crash leaves it pending.
 */
@Injectable()
export class TaskDeadlineRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async fire(timerKey: string, now: Date): Promise<DeadlineOutcome> {
    return this.dataSource.transaction(async (manager) => {
      // Lock order of an engine step: the root instance, the task, then its timer rows. A step
      // completing the task holds the root and then updates user_task and timer; locking in another
      // order (or inserting the next reminder, whose foreign key share-locks the instance row,
      // without holding the root) could deadlock with it.
      await manager.query(
        `SELECT id FROM process_instance
         WHERE id = (SELECT p.root_instance_id FROM timer t JOIN process_instance p ON p.id = t.process_instance_id WHERE t.key = $1)
         FOR UPDATE`,
        [timerKey],
      );
      const tasks = (await manager.query(
        `SELECT u.id AS "taskId", u.process_instance_id AS "processInstanceId", u.element_id AS "elementId", u.element_instance_id AS "elementInstanceId",
                u.state AS "taskState", u.assignee, u.candidate_groups AS "candidateGroups", u.candidate_users AS "candidateUsers",
                p.status AS "instanceStatus"
         FROM user_task u JOIN process_instance p ON p.id = u.process_instance_id
         WHERE u.id = (SELECT task_id FROM timer WHERE key = $1 AND kind = 'task-deadline')
         FOR UPDATE OF u`,
        [timerKey],
      )) as Omit<LockedDeadline, 'key' | 'dueAt' | 'timer' | 'definitionId'>[];
      const timers = (await manager.query(
        `SELECT key, due_at AS "dueAt", timer, definition_id AS "definitionId" FROM timer WHERE key = $1 AND state = 'pending' AND kind = 'task-deadline' FOR UPDATE`,
        [timerKey],
      )) as Pick<LockedDeadline, 'key' | 'dueAt' | 'timer' | 'definitionId'>[];
      if (timers.length === 0) return { kind: 'gone' } as const;
      const row: LockedDeadline | undefined = tasks[0] && { ...tasks[0], ...timers[0]! };
      if (!row || row.taskState !== 'open') {
        await manager.query(`UPDATE timer SET state = 'canceled', locked_until = NULL WHERE key = $1 AND state = 'pending'`, [timerKey]);
        return { kind: 'gone' } as const;
      }
      if (row.instanceStatus === 'suspended') {
        await manager.query(`UPDATE timer SET locked_until = now() + ($2 || ' milliseconds')::interval WHERE key = $1`, [timerKey, String(HELD_RETRY_MS)]);
        return { kind: 'held' } as const;
      }
      await manager.query(`UPDATE timer SET state = 'fired', fired_at = $2, locked_until = NULL WHERE key = $1`, [timerKey, now]);
      const document = row.timer;
      if (document.deadline === 'escalation') {
        await this.escalate(manager, row, now);
        return { kind: 'fired', deadline: 'escalation', taskId: row.taskId, next: null } as const;
      }
      await this.remind(manager, row, now);
      const next = await this.scheduleNextReminder(manager, row, now);
      return { kind: 'fired', deadline: document.deadline, taskId: row.taskId, next } as const;
    });
  }

  /** A reminder (or the overdue notice) to whoever holds the task, else everyone it is offered to. */
  private async remind(manager: EntityManager, row: LockedDeadline, now: Date): Promise<void> {
    const overdue = row.timer.deadline === 'overdue';
    const occurrence = row.timer.occurrence ?? 1;
    if (overdue) {
      await this.history(manager, row, now, 'task.overdue', { taskId: row.taskId, dueAt: new Date(row.dueAt).toISOString() });
    }
    await this.mail(manager, row, now, {
      template: 'task-reminder',
      reason: overdue ? 'task-overdue' : 'task-reminder',
      to: holderOrCandidates(row),
      separately: true,
      // A due date alone (no reminder headers) asks for no mail; an unreachable overdue notice is not a failure.
      ...(overdue && row.timer.every === undefined && { optional: true }),
      taskId: row.taskId,
      dedupeKey: `${overdue ? 'task-overdue' : 'task-reminder'}:${row.taskId}:${occurrence}`,
    });
  }

  private async scheduleNextReminder(manager: EntityManager, row: LockedDeadline, now: Date): Promise<Date | null> {
    const every = row.timer.every === undefined ? null : parseIsoDuration(row.timer.every);
    if (every === null) return null;
    let next = addDuration(new Date(row.dueAt), every);
    const stepMs = next.getTime() - new Date(row.dueAt).getTime();
    if (next.getTime() <= now.getTime() && every.years === 0 && every.months === 0 && stepMs > 0) {
      // A fixed interval: jump straight past now instead of stepping through every missed slot.
      next = new Date(next.getTime() + Math.floor((now.getTime() - next.getTime()) / stepMs + 1) * stepMs);
    }
    for (let step = 0; next.getTime() <= now.getTime() && step < MAX_CATCH_UP_STEPS; step++) next = addDuration(next, every);
    if (next.getTime() <= now.getTime()) return null;
    const document: DeadlineDocument = { deadline: 'reminder', every: row.timer.every, occurrence: (row.timer.occurrence ?? 1) + 1 };
    await manager.query(
      `INSERT INTO timer (key, kind, task_id, process_instance_id, definition_id, element_id, element_instance_id, due_at, state, timer, created_at)
       VALUES ($1, 'task-deadline', $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
      [randomUUID(), row.taskId, row.processInstanceId, row.definitionId, row.elementId, row.elementInstanceId, next, JSON.stringify(document), now],
    );
    return next;
  }

  /**
   * jBPM semantics: `escalateTo` becomes the only candidate group, the assignee and candidate users
   * are cleared, `escalated` is set; the history says from whom and when; the group is mailed.
   */
  private async escalate(manager: EntityManager, row: LockedDeadline, now: Date): Promise<void> {
    const group = row.timer.escalateTo!;
    await manager.query(
      `UPDATE user_task SET assignee = NULL, candidate_groups = ARRAY[$2]::text[], candidate_users = '{}', escalated = true, escalated_at = $3 WHERE id = $1`,
      [row.taskId, group, now],
    );
    await this.history(manager, row, now, 'task.escalated', {
      taskId: row.taskId,
      escalateTo: group,
      previousAssignee: row.assignee,
      previousCandidateGroups: row.candidateGroups,
      previousCandidateUsers: row.candidateUsers,
    });
    await this.mail(manager, row, now, {
      template: 'task-escalated',
      reason: 'task-escalated',
      to: [{ group }],
      separately: true,
      taskId: row.taskId,
      dedupeKey: `task-escalated:${row.taskId}`,
    });
  }

  private async history(manager: EntityManager, row: LockedDeadline, now: Date, type: string, data: unknown): Promise<void> {
    await manager.query(
      `INSERT INTO history_event (process_instance_id, at, type, element_id, element_instance_id, actor, data) VALUES ($1, $2, $3, $4, $5, NULL, $6)`,
      [row.processInstanceId, now, type, row.elementId, row.elementInstanceId, JSON.stringify(data)],
    );
  }

  /** An outbox row `mail.notify` (src/notifications): queued after commit, once. */
  private async mail(manager: EntityManager, row: LockedDeadline, now: Date, request: Record<string, unknown>): Promise<void> {
    await manager.query(`INSERT INTO outbox (kind, process_instance_id, payload, created_at) VALUES ('mail.notify', $1, $2, $3)`, [
      row.processInstanceId,
      JSON.stringify(request),
      now,
    ]);
  }
}

function holderOrCandidates(row: LockedDeadline): Recipient[] {
  if (row.assignee !== null) return [{ user: row.assignee }];
  return [...row.candidateGroups.map((group) => ({ group })), ...row.candidateUsers.map((user) => ({ user }))];
}
