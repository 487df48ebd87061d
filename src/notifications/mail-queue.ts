import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RedisConnections } from '../redis/redis.module.js';

/** The BullMQ queue of mails to send, on the configured prefix. Job id = notification id. */
export const MAIL_QUEUE = 'flowdesk-mail';

export interface MailJobData {
  readonly notificationId: string;
}

export interface EnqueueItem {
  readonly id: string;
  /** Tries left for this notification (its max attempts minus the ones already made). */
  readonly attemptsLeft: number;
}

export type MailJobState = 'missing' | 'waiting' | 'prioritized' | 'delayed' | 'active' | 'waiting-children' | 'completed' | 'failed' | 'unknown';

const LIVE: ReadonlySet<MailJobState> = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children']);
export const isLive = (state: MailJobState): boolean => LIVE.has(state);

const REDIS_TIMEOUT_MS = 5000;
const CONNECT_WAIT_MS = 2000;
const DAY_S = 86_400;

/**
 * Redis side of the mail outbox: adds a notification's job (BullMQ ignores an add whose job id
 * exists, so enqueueing twice is harmless), inspects and removes jobs for the reconciler. The
 * queue only carries the id: what is sent comes from the PostgreSQL row.
 */
@Injectable()
export class MailQueue implements OnApplicationShutdown {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly queue: Queue<MailJobData>;
  private closing = false;

  constructor(redis: RedisConnections, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.prefix = config.bullmqPrefix;
    this.client = redis.forBullmq();
    this.queue = new Queue<MailJobData>(MAIL_QUEUE, { connection: this.client, prefix: this.prefix });
    // Errors surface on the calls that fail; without a listener an 'error' event would crash the process.
    this.queue.on('error', () => undefined);
  }

  /** True while the Redis connection is up (the reconciler skips its passes otherwise). */
  get connected(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Calls back now if Redis is connected, else on the first connect (never, if it never connects):
   * the mail worker starts only then, because closing a BullMQ Worker that never reached Redis
   * hangs shutdown.
   */
  onConnected(callback: () => void): void {
    if (this.connected) callback();
    else this.client.once('ready', callback);
  }

  async enqueue(items: readonly EnqueueItem[]): Promise<void> {
    if (items.length === 0) return;
    this.assertOpen();
    // Redis down: fail fast (the reconciler enqueues later) instead of queueing commands offline.
    await this.waitConnected(CONNECT_WAIT_MS);
    await withTimeout(
      this.queue.addBulk(
        items.map((item) => ({
          name: 'send',
          data: { notificationId: item.id },
          opts: {
            jobId: item.id,
            attempts: Math.max(1, item.attemptsLeft),
            backoff: { type: 'exponential', delay: this.config.mailBackoffMs },
            // PostgreSQL keeps the outcome; Redis keeps a failed job a while for diagnosis.
            removeOnComplete: true,
            removeOnFail: { age: 7 * DAY_S, count: 10_000 },
          },
        })),
      ),
      'queueing mails',
    );
  }

  async state(id: string): Promise<{ state: MailJobState; failedReason: string | null }> {
    this.assertOpen();
    const job = (await withTimeout(this.queue.getJob(id), 'inspecting a mail job')) as Job<MailJobData> | undefined;
    if (!job) return { state: 'missing', failedReason: null };
    const state = (await withTimeout(job.getState(), 'inspecting a mail job')) as MailJobState;
    return { state, failedReason: job.failedReason ?? null };
  }

  async remove(id: string): Promise<void> {
    this.assertOpen();
    await withTimeout(this.queue.remove(id), 'removing a mail job');
  }

  /**
   * True when this call found the reconciler's marker missing and set it: Redis (or our prefix)
   * lost its data since the last pass, or this is the first start on it. Exactly one caller wins.
   */
  async claimEpoch(): Promise<boolean> {
    this.assertOpen();
    const set = await withTimeout(this.client.set(`${this.prefix}:${MAIL_QUEUE}:reconciler-epoch`, new Date().toISOString(), 'NX'), 'checking the epoch marker');
    return set === 'OK';
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    // Shared client: closing the queue never quits it (RedisConnections does).
    await this.queue.close().catch(() => undefined);
  }

  private async waitConnected(ms: number): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', ready);
        reject(new Error(`Redis is not connected (${this.client.status})`));
      }, ms);
      const ready = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', ready);
    });
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the mail queue is shutting down');
  }
}

async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_TIMEOUT_MS} ms while ${what}`)), REDIS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
