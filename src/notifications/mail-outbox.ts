import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { OutboxMessage } from '../persistence/outbox.repository.js';
import { OutboxRelay } from '../runtime/outbox-relay.js';
import { MAIL_NOTIFY_KIND, MAIL_SEND_KIND, type MailRequest } from './mail-request.js';
import { MailService } from './mail.service.js';
import { type Recipient, RecipientError, recipientsFromHeader } from './recipients.js';

/** The mails TASK_MAILS=off leaves out. */
const COURTESY_REASONS = new Set(['task-offered', 'task-assigned']);

/** Payload the runtime writes for a send task (src/runtime/effect-rows.ts, effect `sendMail`). */
interface SendTaskPayload {
  elementId?: string;
  elementInstanceId?: string;
  template?: string;
  headers?: Record<string, string>;
  variables?: Record<string, unknown>;
  /** Optional: a user task's `template` header reuses this kind; then templates also see `task`. */
  taskId?: string;
  reason?: string;
  /** A user task's `template` mail without a `to` header goes to the task's holder or candidates. */
  defaultTo?: Recipient[];
}

/**
 * Outbox → mail. A send task's `mail.send` row becomes a notification: its `to` / `cc` headers are
 * evaluated against the variables the task saw (FEEL / `${}`; literal text may list recipients),
 * then MailService.queue does the rest. The dedupe key is the outbox row's id, so a row the relay
 * publishes twice (crash between publish and mark) queues one mail. `mail.notify` rows carry a
 * MailRequest from any module that wants a mail queued in its own transaction.
 */
@Injectable()
export class MailOutboxHandlers implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.relay.register(MAIL_SEND_KIND, (message) => this.sendTask(message));
    this.relay.register(MAIL_NOTIFY_KIND, (message) => this.notify(message));
  }

  async sendTask(message: OutboxMessage): Promise<void> {
    const payload = (message.payload ?? {}) as SendTaskPayload;
    const headers = payload.headers ?? {};
    const variables = payload.variables ?? {};
    let to: Recipient[] = [];
    let cc: Recipient[] = [];
    let refusal: string | null = null;
    const byDefault = headers.to === undefined && Array.isArray(payload.defaultTo);
    try {
      to = byDefault ? payload.defaultTo! : recipientsFromHeader(headers.to, variables, 'to');
      cc = recipientsFromHeader(headers.cc, variables, 'cc');
      // The task's people get one mail each (never each other's addresses); a `cc` then joins them.
      if (byDefault) [to, cc] = [[...to, ...cc], []];
      if (to.length === 0) refusal = byDefault ? 'the task has nobody to mail: no assignee and no candidates' : "the send task has no 'to' header";
    } catch (error) {
      if (!(error instanceof RecipientError)) throw error;
      refusal = error.message;
    }
    const request: MailRequest = {
      template: String(payload.template ?? ''),
      to,
      cc,
      context: { variables },
      processInstanceId: message.processInstanceId,
      elementId: payload.elementId ?? null,
      elementInstanceId: payload.elementInstanceId ?? null,
      taskId: typeof payload.taskId === 'string' ? payload.taskId : null,
      reason: typeof payload.reason === 'string' && payload.reason !== '' ? payload.reason : 'send-task',
      dedupeKey: `outbox:${message.id}`,
      ...(byDefault && { separately: true, optional: true }),
    };
    if (refusal !== null) await this.mail.queueRefused(request, refusal);
    else await this.mail.queue(request);
  }

  async notify(message: OutboxMessage): Promise<void> {
    const request = (message.payload ?? {}) as unknown as MailRequest;
    // TASK_MAILS=off: no courtesy mails for tasks offered or assigned (what a model asks for still goes).
    if (!this.config.taskMails && request.optional === true && COURTESY_REASONS.has(String(request.reason))) return;
    await this.mail.queue({
      ...request,
      processInstanceId: request.processInstanceId ?? message.processInstanceId,
      dedupeKey: request.dedupeKey ?? `outbox:${message.id}`,
    });
  }
}
