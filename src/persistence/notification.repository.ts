import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One validated recipient as stored and handed to nodemailer (never a raw header string). */
export interface StoredMailbox {
  address: string;
  name?: string;
  /** The directory user it came from, when it came from one. */
  userId?: string;
}

export interface NotificationSummaryRow {
  id: string;
  template: string;
  reason: string;
  status: NotificationStatus;
  processInstanceId: string | null;
  taskId: string | null;
  elementId: string | null;
  to: StoredMailbox[];
  cc: StoredMailbox[];
  subject: string | null;
  messageId: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
}

export interface NotificationRow extends NotificationSummaryRow {
  dedupeKey: string | null;
  requestKey: string | null;
  elementInstanceId: string | null;
  requested: Record<string, unknown>;
  html: string | null;
  text: string | null;
}

export interface NewNotification {
  id: string;
  dedupeKey: string | null;
  requestKey: string | null;
  template: string;
  reason: string;
  status: 'queued' | 'failed';
  processInstanceId: string | null;
  taskId: string | null;
  elementId: string | null;
  elementInstanceId: string | null;
  requested: Record<string, unknown>;
  to: StoredMailbox[];
  cc: StoredMailbox[];
  subject: string | null;
  html: string | null;
  text: string | null;
  messageId: string;
  maxAttempts: number;
  lastError: string | null;
  createdAt: Date;
}

export interface NotificationFilter {
  processInstanceId?: string;
  taskId?: string;
  status?: NotificationStatus;
  template?: string;
  reason?: string;
  page: number;
  size: number;
}

/** A queued notification claimed by a reconciler pass. */
export interface QueuedCheckRow {
  id: string;
  attempts: number;
  maxAttempts: number;
}

export interface ProcessInfoRow {
  id: string;
  key: string;
  businessKey: string | null;
  state: unknown;
}

export interface TaskInfoRow {
  id: string;
  name: string | null;
  elementId: string;
  elementInstanceId: string;
  processInstanceId: string;
  state: string;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  priority: number;
  dueAt: Date | null;
  followUpAt: Date | null;
  createdAt: Date;
  escalated: boolean;
}

const SUMMARY_COLUMNS = `n.id, n.template, n.reason, n.status, n.process_instance_id AS "processInstanceId", n.task_id AS "taskId",
  n.element_id AS "elementId", n.to_addresses AS "to", n.cc_addresses AS "cc", n.subject, n.message_id AS "messageId", n.attempts,
  n.max_attempts AS "maxAttempts", n.last_error AS "lastError", n.created_at AS "createdAt", n.updated_at AS "updatedAt",
  n.sent_at AS "sentAt", n.failed_at AS "failedAt"`;
const FULL_COLUMNS = `${SUMMARY_COLUMNS}, n.dedupe_key AS "dedupeKey", n.request_key AS "requestKey",
  n.element_instance_id AS "elementInstanceId", n.requested, n.html, n.text`;
const MAX_ERROR = 2000;

/** The history row a mail's step writes for its instance (mail.queued / mail.sent / mail.failed). */
const historyInsert = (type: string, source: string, at: string, extra = "'{}'::jsonb") => `
  INSERT INTO history_event (process_instance_id, at, type, element_id, element_instance_id, actor, data)
  SELECT process_instance_id, ${at}, ${type}, element_id, element_instance_id, NULL,
    jsonb_build_object('notificationId', id, 'template', template, 'reason', reason,
      'recipients', jsonb_array_length(to_addresses) + jsonb_array_length(cc_addresses)) || ${extra}
  FROM ${source} WHERE process_instance_id IS NOT NULL`;

/** SQL of the mail notifications (src/notifications): the mail outbox, its leases and its API reads. */
@Injectable()
export class NotificationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params) as Promise<T[]>;
  }

  /**
   * Inserts the rows (and their instances' `mail.queued` / `mail.failed` history) in one
   * transaction. A row whose dedupe key exists is skipped; returns the ids actually inserted.
   */
  async insert(rows: readonly NewNotification[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    return this.dataSource.transaction(async (manager) => {
      const inserted = new Set<string>();
      for (const row of rows) {
        const result: { id: string }[] = await manager.query(
          `WITH ins AS (
             INSERT INTO notification (id, dedupe_key, request_key, template, reason, status, process_instance_id, task_id, element_id,
               element_instance_id, requested, to_addresses, cc_addresses, subject, html, text, message_id, max_attempts, last_error,
               created_at, updated_at, failed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20,
               CASE WHEN $6 = 'failed' THEN $20::timestamptz END)
             ON CONFLICT (dedupe_key) DO NOTHING
             RETURNING *
           ), logged AS (${historyInsert(`CASE WHEN status = 'queued' THEN 'mail.queued' ELSE 'mail.failed' END`, 'ins', 'created_at', `CASE WHEN last_error IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('error', last_error) END`)})
           SELECT id FROM ins`,
          [
            row.id,
            row.dedupeKey,
            row.requestKey,
            row.template,
            row.reason,
            row.status,
            row.processInstanceId,
            row.taskId,
            row.elementId,
            row.elementInstanceId,
            JSON.stringify(row.requested),
            JSON.stringify(row.to),
            JSON.stringify(row.cc),
            row.subject,
            row.html,
            row.text,
            row.messageId,
            row.maxAttempts,
            row.lastError === null ? null : row.lastError.slice(0, MAX_ERROR),
            row.createdAt,
          ],
        );
        if (result.length > 0) inserted.add(result[0]!.id);
      }
      return inserted;
    });
  }

  /** The rows an earlier request with this key produced (empty when there was none). */
  findByRequestKey(requestKey: string): Promise<NotificationSummaryRow[]> {
    return this.query(`SELECT ${SUMMARY_COLUMNS} FROM notification n WHERE n.request_key = $1 ORDER BY n.created_at, n.id`, [requestKey]);
  }

  findByDedupeKeys(keys: readonly string[]): Promise<NotificationSummaryRow[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.query(`SELECT ${SUMMARY_COLUMNS} FROM notification n WHERE n.dedupe_key = ANY($1) ORDER BY n.created_at, n.id`, [keys]);
  }

  async find(id: string): Promise<NotificationRow | null> {
    const rows = await this.query<NotificationRow>(`SELECT ${FULL_COLUMNS} FROM notification n WHERE n.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async list(filter: NotificationFilter): Promise<{ items: NotificationSummaryRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.processInstanceId !== undefined) where.push(`n.process_instance_id = $${params.push(filter.processInstanceId)}`);
    if (filter.taskId !== undefined) where.push(`n.task_id = $${params.push(filter.taskId)}`);
    if (filter.status !== undefined) where.push(`n.status = $${params.push(filter.status)}`);
    if (filter.template !== undefined) where.push(`n.template = $${params.push(filter.template)}`);
    if (filter.reason !== undefined) where.push(`n.reason = $${params.push(filter.reason)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [items, counted] = await Promise.all([
      this.query<NotificationSummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM notification n ${clause} ORDER BY n.created_at DESC, n.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.size, (filter.page - 1) * filter.size],
      ),
      this.query<{ total: number }>(`SELECT count(*)::int AS total FROM notification n ${clause}`, params),
    ]);
    return { items, total: counted[0]?.total ?? 0 };
  }

  // ── sending ──

  /**
   * Takes the send lease of a queued row and counts the attempt. Null when the row is not queued
   * any more (sent, failed) or another worker holds the lease right now.
   */
  async claimForSending(id: string, leaseMs: number): Promise<NotificationRow | null> {
    const rows = await this.query<NotificationRow>(
      `WITH changed AS (
         UPDATE notification SET sending_until = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1, updated_at = now()
         WHERE id = $1 AND status = 'queued' AND (sending_until IS NULL OR sending_until < now())
         RETURNING *
       )
       SELECT ${FULL_COLUMNS} FROM changed n`,
      [id, leaseMs],
    );
    return rows[0] ?? null;
  }

  /** queued → sent, with the instance's `mail.sent` event. False when it was not queued. */
  async markSent(id: string, at: Date, note: string | null): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `WITH changed AS (
         UPDATE notification SET status = 'sent', sent_at = $2, updated_at = $2, sending_until = NULL, next_check_at = NULL, last_error = $3
         WHERE id = $1 AND status = 'queued'
         RETURNING *
       ), logged AS (${historyInsert(`'mail.sent'`, 'changed', '$2::timestamptz', `jsonb_build_object('messageId', message_id, 'attempts', attempts)`)})
       SELECT id FROM changed`,
      [id, at, note === null ? null : note.slice(0, MAX_ERROR)],
    );
    return rows.length > 0;
  }

  /** queued → failed, with the instance's `mail.failed` event. False when it was not queued. */
  async markFailed(id: string, at: Date, error: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `WITH changed AS (
         UPDATE notification SET status = 'failed', failed_at = $2, updated_at = $2, sending_until = NULL, next_check_at = NULL, last_error = $3
         WHERE id = $1 AND status = 'queued'
         RETURNING *
       ), logged AS (${historyInsert(`'mail.failed'`, 'changed', '$2::timestamptz', `jsonb_build_object('error', last_error, 'attempts', attempts)`)})
       SELECT id FROM changed`,
      [id, at, error.slice(0, MAX_ERROR)],
    );
    return rows.length > 0;
  }

  /** An attempt failed and another will follow: release the lease and keep the error for the API. */
  async recordAttemptError(id: string, error: string): Promise<void> {
    await this.query(`UPDATE notification SET sending_until = NULL, last_error = $2, updated_at = now() WHERE id = $1 AND status = 'queued'`, [
      id,
      error.slice(0, MAX_ERROR),
    ]);
  }

  async statusOf(id: string): Promise<{ status: NotificationStatus; attempts: number; maxAttempts: number } | null> {
    const rows = await this.query<{ status: NotificationStatus; attempts: number; maxAttempts: number }>(
      `SELECT status, attempts, max_attempts AS "maxAttempts" FROM notification WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  // ── reconciliation ──

  /**
   * Claims up to `limit` queued rows due for a look at Redis and pushes their next look back by
   * half their age (within the bounds), so a mail retrying for hours costs a check every few
   * minutes. Rows younger than `graceSeconds` are left to the enqueue under way. SKIP LOCKED:
   * replicas take disjoint rows.
   */
  claimForCheck(limit: number, graceSeconds: number, minLeaseSeconds: number, maxLeaseSeconds: number): Promise<QueuedCheckRow[]> {
    return this.query(
      `WITH due AS (
         SELECT id FROM notification
         WHERE status = 'queued'
           AND (next_check_at <= now() OR (next_check_at IS NULL AND created_at <= now() - make_interval(secs => $2::float8)))
         ORDER BY next_check_at NULLS FIRST, created_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       ), changed AS (
         UPDATE notification n SET next_check_at = now() + make_interval(secs => least($4::float8, greatest($3::float8,
             extract(epoch FROM now() - n.created_at) / 2)))
         FROM due WHERE n.id = due.id
         RETURNING n.id, n.attempts, n.max_attempts
       )
       SELECT id, attempts, max_attempts AS "maxAttempts" FROM changed`,
      [limit, graceSeconds, minLeaseSeconds, maxLeaseSeconds],
    );
  }

  /** Every queued row is checked on the next pass (Redis lost its data). */
  async makeAllDue(): Promise<number> {
    const rows = await this.query<{ n: number }>(
      `WITH changed AS (UPDATE notification SET next_check_at = now() WHERE status = 'queued' RETURNING 1) SELECT count(*)::int AS n FROM changed`,
    );
    return rows[0]?.n ?? 0;
  }

  // ── what templates see ──

  async processInfo(id: string): Promise<ProcessInfoRow | null> {
    const rows = await this.query<ProcessInfoRow>(
      `SELECT id, definition_key AS key, business_key AS "businessKey", state FROM process_instance WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async taskInfo(id: string): Promise<TaskInfoRow | null> {
    const rows = await this.query<TaskInfoRow>(
      `SELECT id, name, element_id AS "elementId", element_instance_id AS "elementInstanceId", process_instance_id AS "processInstanceId",
              state, assignee, candidate_groups AS "candidateGroups", candidate_users AS "candidateUsers", priority, due_at AS "dueAt",
              follow_up_at AS "followUpAt", created_at AS "createdAt", escalated
       FROM user_task WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
