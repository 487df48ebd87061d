import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { taskVariables } from '../engine/task-variables.js';
import type { InstanceState } from '../engine/types.js';
import { DirectoryRepository } from '../persistence/directory.repository.js';
import {
  type NewNotification,
  NotificationRepository,
  type NotificationSummaryRow,
  type StoredMailbox,
  type TaskInfoRow,
} from '../persistence/notification.repository.js';
import { MailQueue } from './mail-queue.js';
import type { MailRequest, QueuedNotification } from './mail-request.js';
import { classifyRecipient, type Recipient, RecipientError, shown, validateAddress } from './recipients.js';
import { TemplateRegistry } from './template-registry.js';
import { type TemplateContext, TemplateRenderError } from './templates.js';

const MAX_RECIPIENTS = 1000;
const MAX_BODY_CHARS = 2_000_000;
const GROUP_PAGE = 200;
const DISPLAY_NAME = /^[\p{L}\p{M}\p{N} .'-]{1,100}$/u;

/** A request that cannot become a mail; it is recorded as a failed notification with this reason. */
class Refused extends Error {}

interface PreparedMail {
  readonly suffix: string | null;
  readonly to: StoredMailbox[];
  readonly cc: StoredMailbox[];
  readonly rendered: { subject: string; html: string; text: string } | null;
  readonly error: string | null;
}

interface ResolvedContext {
  readonly base: Omit<TemplateContext, 'recipient'>;
  readonly processInstanceId: string | null;
  readonly taskId: string | null;
  readonly elementId: string | null;
  readonly elementInstanceId: string | null;
}

/**
 * The mail API other modules call. `queue()` resolves the recipients (literal addresses strictly
 * validated, `group:<name>` and user ids through the directory), renders the template with the
 * task, process and variables, writes one `notification` row per mail (plus `mail.queued` in the
 * instance's history) and hands it to the BullMQ mail queue after commit. A request that cannot
 * become a mail (a refused recipient, an unknown template, a template failing on these variables)
 * is recorded as a `failed` notification with the reason, never thrown: only infrastructure errors
 * (database down) are thrown, so callers retrying on errors stay correct.
 */
@Injectable()
export class MailService {
  private readonly logger = new JsonLogger('mail');

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly directory: DirectoryRepository,
    private readonly templates: TemplateRegistry,
    private readonly mailQueue: MailQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Queues the mail(s) of one request. Idempotent per `dedupeKey`. */
  queue(request: MailRequest): Promise<QueuedNotification[]> {
    return this.submit(request, null);
  }

  /** Records a request refused before it got here (e.g. a `to` header that failed) as a failed notification. */
  queueRefused(request: MailRequest, reason: string): Promise<QueuedNotification[]> {
    return this.submit(request, reason);
  }

  private async submit(request: MailRequest, refusal: string | null): Promise<QueuedNotification[]> {
    const requestKey = typeof request.dedupeKey === 'string' && request.dedupeKey !== '' ? request.dedupeKey : null;
    if (requestKey !== null) {
      const existing = await this.notifications.findByRequestKey(requestKey);
      if (existing.length > 0) {
        await this.enqueue(existing.filter((row) => row.status === 'queued'));
        return existing.map((row) => summaryOf(row, true));
      }
    }
    let context: ResolvedContext | null = null;
    let mails: PreparedMail[];
    try {
      if (refusal !== null) throw new Refused(refusal);
      checkShape(request);
      if (!this.templates.has(request.template)) throw new Refused(`no mail template '${request.template}' in ${this.config.templatesDir}`);
      if (request.separately && (request.cc?.length ?? 0) > 0) throw new Refused('cc cannot be combined with separately');
      const optional = request.optional === true;
      const to = await this.resolveAll(request.to, optional);
      const toAddresses = new Set(to.map((m) => m.address.toLowerCase()));
      const cc = (await this.resolveAll(request.cc ?? [], optional)).filter((m) => !toAddresses.has(m.address.toLowerCase()));
      if (to.length === 0 && optional) return [];
      if (to.length === 0) throw new Refused('no recipients: nobody in `to` has an e-mail address');
      if (to.length + cc.length > MAX_RECIPIENTS) throw new Refused(`more than ${MAX_RECIPIENTS} recipients`);
      context = await this.contextFor(request);
      const resolved = context;
      const groups = request.separately ? to.map((person) => ({ suffix: person.address.toLowerCase(), to: [person], cc: [] })) : [{ suffix: null, to, cc }];
      mails = groups.map((group) => this.render(request.template, resolved, group));
    } catch (error) {
      if (!(error instanceof Refused || error instanceof RecipientError)) throw error;
      mails = [{ suffix: null, to: [], cc: [], rendered: null, error: error.message }];
    }

    const now = this.clock.now();
    const rows: NewNotification[] = mails.map((mail) => {
      const id = randomUUID();
      return {
        id,
        dedupeKey: requestKey === null ? null : mail.suffix === null ? requestKey : `${requestKey}|${mail.suffix}`,
        requestKey,
        template: String(request.template),
        reason: String(request.reason ?? 'unknown'),
        status: mail.error === null ? 'queued' : 'failed',
        processInstanceId: context?.processInstanceId ?? request.processInstanceId ?? null,
        taskId: context?.taskId ?? request.taskId ?? null,
        elementId: context?.elementId ?? request.elementId ?? null,
        elementInstanceId: context?.elementInstanceId ?? request.elementInstanceId ?? null,
        requested: { to: request.to ?? [], cc: request.cc ?? [], ...(request.separately ? { separately: true } : {}) },
        to: mail.to,
        cc: mail.cc,
        subject: mail.rendered?.subject ?? null,
        html: mail.rendered?.html ?? null,
        text: mail.rendered?.text ?? null,
        messageId: `<${id}@flowdesk>`,
        maxAttempts: this.config.mailAttempts,
        lastError: mail.error,
        createdAt: now,
      };
    });
    const inserted = await this.notifications.insert(rows);
    for (const row of rows.filter((r) => inserted.has(r.id) && r.status === 'failed')) {
      this.logger.warn('mail refused', { notificationId: row.id, template: row.template, reason: row.reason, error: row.lastError });
    }
    await this.enqueue(rows.filter((row) => inserted.has(row.id) && row.status === 'queued').map((row) => ({ id: row.id, attempts: 0, maxAttempts: row.maxAttempts })));
    // Rows that lost a race for their dedupe key to a concurrent request: report the stored ones.
    const lost = rows.filter((row) => !inserted.has(row.id));
    const winners = await this.notifications.findByDedupeKeys(lost.map((row) => row.dedupeKey!).filter((key) => key !== null));
    return [
      ...rows
        .filter((row) => inserted.has(row.id))
        .map((row) => ({
          id: row.id,
          status: row.status,
          to: row.to.map((m) => m.address),
          cc: row.cc.map((m) => m.address),
          subject: row.subject,
          lastError: row.lastError,
          duplicate: false,
        })),
      ...winners.map((row) => summaryOf(row, true)),
    ];
  }

  /** After commit: hand the ids to BullMQ. Failure is not fatal: the reconciler enqueues what Redis lacks. */
  private async enqueue(rows: readonly { id: string; attempts: number; maxAttempts: number }[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.mailQueue.enqueue(rows.map((row) => ({ id: row.id, attemptsLeft: row.maxAttempts - row.attempts })));
    } catch (error) {
      this.logger.warn('could not queue mails in Redis; the reconciler will', { ids: rows.map((r) => r.id), error: error instanceof Error ? error.message : String(error) });
    }
  }

  private render(template: string, context: ResolvedContext, group: { suffix: string | null; to: StoredMailbox[]; cc: StoredMailbox[] }): PreparedMail {
    const first = group.to[0]!;
    try {
      const rendered = this.templates.render(template, {
        ...context.base,
        recipient: { email: first.address, name: first.name ?? null, userId: first.userId ?? null },
      });
      if (rendered.html.length + rendered.text.length > MAX_BODY_CHARS) throw new Refused(`the rendered mail is larger than ${MAX_BODY_CHARS} characters`);
      return { ...group, rendered, error: null };
    } catch (error) {
      if (!(error instanceof TemplateRenderError || error instanceof Refused)) throw error;
      return { ...group, rendered: null, error: error.message };
    }
  }

  // ── recipients ──

  /** `skipUnknown`: directory users/groups that do not exist (or have no address) are left out instead of refusing the mail. */
  private async resolveAll(recipients: readonly Recipient[], skipUnknown = false): Promise<StoredMailbox[]> {
    const out: StoredMailbox[] = [];
    const seen = new Set<string>();
    const add = (mailbox: StoredMailbox) => {
      const key = mailbox.address.toLowerCase();
      if (seen.has(key)) return;
      seen.add(key);
      out.push(mailbox);
    };
    for (const recipient of recipients) {
      const spec = classifyRecipient(recipient);
      switch (spec.kind) {
        case 'address':
          add({ ...spec.mailbox });
          break;
        case 'user': {
          const user = await this.directory.findUser(spec.id);
          if (skipUnknown && !user?.email) break;
          if (!user) throw new RecipientError(`user ${shown(spec.id)} is not in the directory`);
          if (!user.email) throw new RecipientError(`user ${shown(spec.id)} has no e-mail address in the directory`);
          add(directoryMailbox(user));
          break;
        }
        case 'group': {
          if (!(await this.directory.findGroup(spec.name))) {
            if (skipUnknown) break;
            throw new RecipientError(`group ${shown(spec.name)} is not in the directory`);
          }
          for (let page = 1; ; page++) {
            const { items, total } = await this.directory.listUsers({ group: spec.name, page, size: GROUP_PAGE });
            // Members without an address cannot be mailed; the others still are.
            for (const user of items) if (user.email) add(directoryMailbox(user));
            if (page * GROUP_PAGE >= total || items.length === 0) break;
          }
          break;
        }
      }
      if (out.length > MAX_RECIPIENTS) throw new Refused(`more than ${MAX_RECIPIENTS} recipients`);
    }
    return out;
  }

  // ── what templates see ──

  private async contextFor(request: MailRequest): Promise<ResolvedContext> {
    const given = request.context ?? {};
    let taskRow: TaskInfoRow | null = null;
    if (request.taskId) {
      taskRow = await this.notifications.taskInfo(request.taskId);
      if (!taskRow) throw new Refused(`task ${request.taskId} not found`);
    }
    const processInstanceId = request.processInstanceId ?? taskRow?.processInstanceId ?? null;
    let process = given.process ?? null;
    let variables = given.variables;
    if (processInstanceId !== null && (process === null || variables === undefined)) {
      const info = await this.notifications.processInfo(processInstanceId);
      if (!info) throw new Refused(`process instance ${processInstanceId} not found`);
      process ??= { id: info.id, key: info.key, businessKey: info.businessKey };
      if (variables === undefined) {
        const state = info.state as InstanceState | null;
        variables = taskRow ? taskVariables(state, taskRow.elementInstanceId) : (state?.variables ?? {});
      }
    }
    const base = this.config.publicUrl;
    const taskId = request.taskId ?? null;
    const links: Record<string, string> = {
      inbox: `${base}/api/tasks`,
      ...(taskId ? { task: `${base}/api/tasks/${taskId}` } : {}),
      ...(processInstanceId ? { process: `${base}/api/process-instances/${processInstanceId}` } : {}),
      ...given.links,
    };
    return {
      base: { task: given.task ?? (taskRow ? taskContext(taskRow) : null), process, variables: variables ?? {}, links },
      processInstanceId,
      taskId,
      elementId: request.elementId ?? taskRow?.elementId ?? null,
      elementInstanceId: request.elementInstanceId ?? taskRow?.elementInstanceId ?? null,
    };
  }
}

/** A directory user's mailbox; an address that fails the strict check refuses the mail, an odd display name is just left out. */
function directoryMailbox(user: { id: string; name: string | null; email: string | null }): StoredMailbox {
  let mailbox;
  try {
    mailbox = validateAddress(user.email!.trim());
  } catch (error) {
    throw new RecipientError(`user ${shown(user.id)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = user.name?.trim();
  return { address: mailbox.address, ...(name && DISPLAY_NAME.test(name) ? { name } : {}), userId: user.id };
}

function taskContext(row: TaskInfoRow): Record<string, unknown> {
  const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
  return {
    id: row.id,
    name: row.name,
    elementId: row.elementId,
    state: row.state,
    assignee: row.assignee,
    candidateGroups: row.candidateGroups,
    candidateUsers: row.candidateUsers,
    priority: row.priority,
    dueAt: iso(row.dueAt),
    followUpAt: iso(row.followUpAt),
    createdAt: iso(row.createdAt),
    escalated: row.escalated,
  };
}

function checkShape(request: MailRequest): void {
  if (typeof request.template !== 'string' || request.template === '') throw new Refused('the request names no template');
  if (!Array.isArray(request.to)) throw new Refused('`to` must be a list of recipients');
  if (request.cc !== undefined && !Array.isArray(request.cc)) throw new Refused('`cc` must be a list of recipients');
  if (typeof request.reason !== 'string' || request.reason === '' || request.reason.length > 100) throw new Refused('the request needs a reason (at most 100 characters)');
}

function summaryOf(row: NotificationSummaryRow, duplicate: boolean): QueuedNotification {
  return {
    id: row.id,
    status: row.status,
    to: row.to.map((m) => m.address),
    cc: row.cc.map((m) => m.address),
    subject: row.subject,
    lastError: row.lastError,
    duplicate,
  };
}
