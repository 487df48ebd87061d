import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { buildTaskQuery, SqlParams, TASK_COLUMNS, type TaskFilter, type TaskStateName, type Viewer, visibleClause } from './task-query.js';

export type { TaskFilter, TaskSort, SortOrder, TaskStateName, Viewer } from './task-query.js';

export interface TaskRow {
  id: string;
  name: string | null;
  elementId: string;
  elementInstanceId: string;
  processInstanceId: string;
  definitionKey: string;
  businessKey: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  state: TaskStateName;
  priority: number;
  dueAt: Date | null;
  followUpAt: Date | null;
  createdAt: Date;
  endedAt: Date | null;
  completedBy: string | null;
  formKey: string | null;
  escalated: boolean;
  escalatedAt: Date | null;
}

/** As stored by the runtime: a form-js schema and/or Camunda 7 form fields. */
export interface StoredForm {
  schema?: unknown;
  fields?: unknown[];
}

export interface TaskDetailRow extends TaskRow {
  form: StoredForm | null;
}

export interface CommentRow {
  id: string;
  taskId: string;
  author: string;
  text: string;
  createdAt: Date;
}

/** A conditional assignment change: the task as it is now, or null when the condition did not hold. */
export type AssignmentChange = TaskRow | null;

const RETURNED = TASK_COLUMNS;
/** pg_advisory lock key of the counter compaction (7140001 is the migrations'). */
const COMPACTION_LOCK = 7_140_002;

/**
 * The worklist's SQL. Visibility is part of every statement (never checked in memory after a
 * read), and claim/unclaim/assign are single conditional UPDATEs that write their history event in
 * the same statement, so the audit trail can never disagree with the row.
 */
@Injectable()
export class TaskRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params) as Promise<T[]>;
  }

  /** One page and the total, run side by side on two connections. */
  async list(filter: TaskFilter, viewer: Viewer): Promise<{ items: TaskRow[]; total: number }> {
    const built = buildTaskQuery(filter, viewer);
    const [items, counted] = await Promise.all([
      this.query<TaskRow>(built.pageSql, built.pageParams),
      this.query<{ total: number }>(built.countSql, built.countParams),
    ]);
    return { items, total: counted[0]?.total ?? 0 };
  }

  /** The task when the viewer may see it; null when it does not exist or is not theirs to see. */
  async findVisible(id: string, viewer: Viewer): Promise<TaskDetailRow | null> {
    const params = new SqlParams();
    const idParam = params.add(id);
    const rows = await this.query<TaskDetailRow>(`SELECT ${TASK_COLUMNS}, t.form FROM user_task t WHERE t.id = ${idParam} AND ${visibleClause(viewer, params)}`, params.values);
    return rows[0] ?? null;
  }

  /** Unfiltered, for telling 403 from 404 (and 409) after a visibility-checked statement found nothing. */
  async find(id: string): Promise<TaskRow | null> {
    const rows = await this.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM user_task t WHERE t.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Unassigned, open and offered to the viewer → the viewer holds it. */
  async claim(id: string, viewer: Viewer, now: Date): Promise<AssignmentChange> {
    const params = new SqlParams();
    const idParam = params.add(id);
    const me = params.add(viewer.id);
    const at = params.add(now);
    const rows = await this.query<TaskRow>(
      `WITH changed AS (
         UPDATE user_task t SET assignee = ${me}
         WHERE t.id = ${idParam} AND t.state = 'open' AND t.assignee IS NULL AND ${visibleClause(viewer, params)}
         RETURNING t.*
       ), logged AS (
         INSERT INTO history_event (process_instance_id, at, type, element_id, element_instance_id, actor, data)
         SELECT process_instance_id, ${at}, 'task.claimed', element_id, element_instance_id, ${me}, jsonb_build_object('taskId', id, 'assignee', assignee)
         FROM changed
       )
       SELECT ${RETURNED} FROM changed t`,
      params.values,
    );
    return rows[0] ?? null;
  }

  /**
   * Held by the viewer (or any holder, for admin) → unassigned. `onlyHolder` restricts it to the
   * viewer's own hold even for admin (undoing an implicit claim).
   */
  async unclaim(id: string, viewer: Viewer, now: Date, onlyHolder = false): Promise<AssignmentChange> {
    const params = new SqlParams();
    const idParam = params.add(id);
    const me = params.add(viewer.id);
    const at = params.add(now);
    const allowed = viewer.admin && !onlyHolder ? 'TRUE' : `prev.assignee = ${me}`;
    const rows = await this.query<TaskRow>(
      `WITH prev AS (
         SELECT id, assignee FROM user_task WHERE id = ${idParam} AND state = 'open' FOR UPDATE
       ), changed AS (
         UPDATE user_task t SET assignee = NULL FROM prev
         WHERE t.id = prev.id AND prev.assignee IS NOT NULL AND ${allowed}
         RETURNING t.*, prev.assignee AS previous_assignee
       ), logged AS (
         INSERT INTO history_event (process_instance_id, at, type, element_id, element_instance_id, actor, data)
         SELECT process_instance_id, ${at}, 'task.unclaimed', element_id, element_instance_id, ${me}, jsonb_build_object('taskId', id, 'previousAssignee', previous_assignee)
         FROM changed
       )
       SELECT ${RETURNED} FROM changed t`,
      params.values,
    );
    return rows[0] ?? null;
  }

  /**
   * Hands the task to `assignee`: admin always; the holder; or, while unassigned, anyone it is
   * offered to. Null when the rule does not hold or nothing would change. When someone else is
   * the new holder, a `task-assigned` mail is queued through the outbox in the same statement
   * (kind `mail.notify`, see docs/notifications.md); true in `notified` then.
   */
  async assign(id: string, viewer: Viewer, assignee: string, now: Date): Promise<(TaskRow & { notified: boolean }) | null> {
    const params = new SqlParams();
    const idParam = params.add(id);
    const me = params.add(viewer.id);
    const to = params.add(assignee);
    const at = params.add(now);
    const allowed = viewer.admin ? 'TRUE' : `(prev.assignee = ${me} OR (prev.assignee IS NULL AND ${visibleClause(viewer, params)}))`;
    const rows = await this.query<TaskRow & { notified: boolean }>(
      `WITH prev AS (
         SELECT id, assignee FROM user_task WHERE id = ${idParam} AND state = 'open' FOR UPDATE
       ), changed AS (
         UPDATE user_task t SET assignee = ${to} FROM prev
         WHERE t.id = prev.id AND prev.assignee IS DISTINCT FROM ${to} AND ${allowed}
         RETURNING t.*, prev.assignee AS previous_assignee
       ), logged AS (
         INSERT INTO history_event (process_instance_id, at, type, element_id, element_instance_id, actor, data)
         SELECT process_instance_id, ${at}, 'task.assigned', element_id, element_instance_id, ${me},
                jsonb_build_object('taskId', id, 'assignee', assignee, 'previousAssignee', previous_assignee)
         FROM changed
       ), notified AS (
         INSERT INTO outbox (kind, process_instance_id, payload, created_at)
         SELECT 'mail.notify', process_instance_id,
                jsonb_build_object('template', 'task-assigned', 'to', jsonb_build_array(jsonb_build_object('user', assignee)), 'taskId', id,
                  'reason', 'task-assigned', 'separately', true, 'optional', true, 'dedupeKey', 'task-assigned:' || id || ':' || ${params.add(now.toISOString())}::text), ${at}
         FROM changed WHERE assignee <> ${me}
         RETURNING 1
       )
       SELECT ${RETURNED}, EXISTS (SELECT 1 FROM notified) AS notified FROM changed t`,
      params.values,
    );
    return rows[0] ?? null;
  }

  /**
   * Folds up to `limit` counter deltas into the totals; returns how many it folded. One statement
   * (one transaction); a replica that finds another compacting (advisory lock) folds nothing.
   */
  async compactCounts(limit: number): Promise<number> {
    const rows = await this.query<{ folded: number }>(
      `WITH lock AS (SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK}) AS ok),
       gone AS (
         DELETE FROM user_task_count_delta d
         WHERE d.id IN (SELECT id FROM user_task_count_delta WHERE (SELECT ok FROM lock) ORDER BY id LIMIT $1)
         RETURNING d.principal, d.delta
       ), folded AS (
         INSERT INTO user_task_count AS c (principal, tasks)
         SELECT principal, sum(delta) FROM gone GROUP BY principal ORDER BY principal
         ON CONFLICT (principal) DO UPDATE SET tasks = c.tasks + EXCLUDED.tasks
       )
       SELECT count(*)::int AS folded FROM gone`,
      [limit],
    );
    return rows[0]?.folded ?? 0;
  }

  /** The instance's status column (`active`, `suspended`, …), or null when it does not exist. */
  async instanceStatus(instanceId: string): Promise<string | null> {
    const rows = await this.query<{ status: string }>('SELECT status FROM process_instance WHERE id = $1', [instanceId]);
    return rows[0]?.status ?? null;
  }

  /** The state documents of the instances on a page (variables are read from them). */
  async instanceStates(instanceIds: readonly string[]): Promise<Map<string, unknown>> {
    if (instanceIds.length === 0) return new Map();
    const rows = await this.query<{ id: string; state: unknown }>('SELECT id, state FROM process_instance WHERE id = ANY($1::uuid[])', [[...new Set(instanceIds)]]);
    return new Map(rows.map((row) => [row.id, row.state]));
  }

  /** Adds a comment when the viewer may see the task; null otherwise. */
  async addComment(taskId: string, viewer: Viewer, text: string, now: Date): Promise<CommentRow | null> {
    const params = new SqlParams();
    const commentId = params.add(randomUUID());
    const author = params.add(viewer.id);
    const body = params.add(text);
    const at = params.add(now);
    const task = params.add(taskId);
    const rows = await this.query<CommentRow>(
      `INSERT INTO task_comment (id, task_id, process_instance_id, author, text, created_at)
       SELECT ${commentId}, t.id, t.process_instance_id, ${author}, ${body}, ${at} FROM user_task t
       WHERE t.id = ${task} AND ${visibleClause(viewer, params)}
       RETURNING id, task_id AS "taskId", author, text, created_at AS "createdAt"`,
      params.values,
    );
    return rows[0] ?? null;
  }

  /** Oldest first. The caller has checked the task is visible. */
  async comments(taskId: string, page: number, size: number): Promise<{ items: CommentRow[]; total: number }> {
    const [items, counted] = await Promise.all([
      this.query<CommentRow>(
        `SELECT id, task_id AS "taskId", author, text, created_at AS "createdAt" FROM task_comment WHERE task_id = $1
         ORDER BY created_at, id LIMIT $2 OFFSET $3`,
        [taskId, size, (page - 1) * size],
      ),
      this.query<{ total: number }>('SELECT count(*)::int AS total FROM task_comment WHERE task_id = $1', [taskId]),
    ]);
    return { items, total: counted[0]?.total ?? 0 };
  }
}
