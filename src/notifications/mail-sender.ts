import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Clock } from '../common/clock.js';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { NotificationRepository } from '../persistence/notification.repository.js';
import { RedisConnections } from '../redis/redis.module.js';
import { MAIL_QUEUE, type MailJobData, MailQueue } from './mail-queue.js';
import { MailTransport, PermanentMailError } from './mail-transport.js';

/** Mails sent at once per replica. */
const CONCURRENCY = 4;
/** Longer than the SMTP transport's timeouts put together, so a lease outlives a slow attempt. */
const SEND_LEASE_MS = 120_000;
const LOCK_MS = 60_000;
/** Shutdown waits this long for mails under way (SIGTERM handling allows 25 s in all). */
const CLOSE_WAIT_MS = 10_000;

export type DeliveryOutcome = 'sent' | 'already-done' | 'failed';

/**
 * The mail worker: a BullMQ Worker on MAIL_QUEUE in every replica. Per job it takes the row's send
 * lease in PostgreSQL (so two workers never send one mail at once), sends the stored mail with its
 * fixed Message-ID, and records the outcome with the instance's `mail.sent` / `mail.failed` event.
 * A failed try records its error and throws, so BullMQ retries with exponential backoff; the row's
 * own attempt count decides the last try (it survives Redis losing the job), and a permanent SMTP
 * refusal (5xx) fails at once.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new JsonLogger('mail');
  private worker: Worker<MailJobData> | null = null;
  private stopping = false;

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly transport: MailTransport,
    private readonly queue: MailQueue,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.logger.info('mail transport', { transport: this.transport.description });
    // Started once Redis is reachable: a BullMQ Worker that never connected cannot be closed.
    this.queue.onConnected(() => {
      if (this.stopping || this.worker) return;
      this.worker = new Worker<MailJobData>(MAIL_QUEUE, (job) => this.process(job), {
        connection: this.redis.forBullmq(),
        prefix: this.config.bullmqPrefix,
        concurrency: CONCURRENCY,
        lockDuration: LOCK_MS,
      });
      this.worker.on('error', (error) => this.logger.warn('mail worker error', { error: error.message }));
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Finishes the mails under way and takes no new ones, but never waits on a Redis that is gone:
    // an unfinished try keeps its lease and the row stays queued for the next start.
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        worker.close().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!closed) {
        this.logger.warn('mail worker did not close in time (Redis unreachable?); forcing it');
        void worker.close(true).catch(() => undefined);
      }
    }
    await this.transport.close();
  }

  private async process(job: Job<MailJobData>): Promise<DeliveryOutcome> {
    return this.deliver(job.data.notificationId);
  }

  /** Sends one queued notification (one try). Throws to make BullMQ retry. */
  async deliver(id: string): Promise<DeliveryOutcome> {
    const row = await this.notifications.claimForSending(id, SEND_LEASE_MS);
    if (!row) {
      const current = await this.notifications.statusOf(id);
      if (!current || current.status !== 'queued') return 'already-done';
      throw new Error(`mail ${id} is being sent by another worker right now`);
    }
    if (row.attempts > row.maxAttempts) {
      // Every try was spent (tries whose outcome was lost count too): give up without sending again.
      await this.fail(row.id, row.lastError ?? 'no tries left');
      throw new UnrecoverableError(row.lastError ?? 'no tries left');
    }
    try {
      const info = await this.transport.send({
        id: row.id,
        to: row.to,
        cc: row.cc,
        subject: row.subject ?? '',
        html: row.html ?? '',
        text: row.text ?? '',
        messageId: row.messageId,
        date: new Date(row.createdAt),
      });
      const note = info.rejected.length > 0 ? `the server refused ${info.rejected.join(', ')}` : null;
      await this.notifications.markSent(row.id, this.clock.now(), note);
      this.logger.info('mail sent', { notificationId: row.id, template: row.template, attempt: row.attempts, response: info.response });
      return 'sent';
    } catch (error) {
      const message = describe(error);
      const permanent = error instanceof PermanentMailError;
      if (permanent || row.attempts >= row.maxAttempts) {
        await this.fail(row.id, message);
        this.logger.warn('mail failed for good', { notificationId: row.id, template: row.template, attempts: row.attempts, error: message });
        throw new UnrecoverableError(message);
      }
      await this.notifications.recordAttemptError(row.id, message);
      this.logger.warn('mail not sent, will retry', { notificationId: row.id, attempt: row.attempts, of: row.maxAttempts, error: message });
      throw error instanceof Error ? error : new Error(message);
    }
  }

  private async fail(id: string, error: string): Promise<void> {
    await this.notifications.markFailed(id, this.clock.now(), error);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
