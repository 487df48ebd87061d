import type { NotificationStatus } from '../persistence/notification.repository.js';
import type { Recipient } from './recipients.js';

/** Why a mail is sent; shown in the API, and the `reason` filter of GET /api/notifications. */
export type NotificationReason = 'send-task' | 'task-offered' | 'task-assigned' | 'task-reminder' | 'task-escalated' | (string & {});

/**
 * What templates see, as far as the caller already has it. Whatever is left out is loaded:
 * `task` from `taskId`, `process` from `processInstanceId` (or the task's instance), `variables`
 * from the task's scope (or the instance's root scope). `links` are added to the defaults.
 */
export interface MailContextInput {
  readonly task?: Readonly<Record<string, unknown>>;
  readonly process?: { readonly id: string; readonly key: string; readonly businessKey: string | null };
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly links?: Readonly<Record<string, string>>;
}

export interface MailRequest {
  /** A template of TEMPLATES_DIR by name (`task-reminder` → templates/task-reminder.hbs). */
  readonly template: string;
  readonly to: readonly Recipient[];
  readonly cc?: readonly Recipient[];
  readonly context?: MailContextInput;
  readonly processInstanceId?: string | null;
  readonly taskId?: string | null;
  /** The BPMN element the mail belongs to (history events carry it); defaults to the task's. */
  readonly elementId?: string | null;
  readonly elementInstanceId?: string | null;
  readonly reason: NotificationReason;
  /**
   * Idempotency: a second request with the same key queues nothing and returns the first one's
   * notifications (e.g. `reminder:<taskId>:<n>`, `escalated:<taskId>`). Strongly recommended for
   * anything driven by timers, outbox rows or retries.
   */
  readonly dedupeKey?: string;
  /**
   * One mail per `to` recipient (each sees only their own address, and `recipient` in the template
   * is them) instead of one mail to all. `cc` is not allowed then. Use it for mails to a group's
   * members, e.g. task-offered.
   */
  readonly separately?: boolean;
  /**
   * A courtesy mail (task offered, task assigned at creation): users and groups the directory does
   * not know, and people without an address, are skipped instead of failing the mail; with nobody
   * left nothing is recorded at all.
   */
  readonly optional?: boolean;
}

export interface QueuedNotification {
  readonly id: string;
  /** `queued` (it will be sent), or `failed` at once (refused recipient, unknown template, render error). */
  readonly status: NotificationStatus;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string | null;
  readonly lastError: string | null;
  /** True when the dedupeKey had been used: nothing new was queued. */
  readonly duplicate: boolean;
}

/** Outbox kind the runtime writes for a send task with a `template` header and no job type. */
export const MAIL_SEND_KIND = 'mail.send';
/**
 * Outbox kind for any module that wants a mail queued atomically with its own transaction: write an
 * outbox row of this kind whose payload is a MailRequest (JSON). Its dedupe key defaults to the
 * outbox row, so a row published twice queues one mail.
 */
export const MAIL_NOTIFY_KIND = 'mail.notify';
