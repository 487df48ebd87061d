import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { JsonLogger } from '../common/json-logger.js';
import { NotificationRepository, type QueuedCheckRow } from '../persistence/notification.repository.js';
import { isLive, MailQueue } from './mail-queue.js';

const PASS_EVERY_MS = 10_000;
/** A notification younger than this is left to the enqueue that follows its insert. */
const GRACE_S = 10;
const MIN_LEASE_S = 10;
const MAX_LEASE_S = 300;
const BATCH = 200;
const MAX_BATCHES_PER_PASS = 20;

export interface ReconcileOptions {
  /** Look at rows younger than the usual grace period too (tests, tools). */
  readonly graceSeconds?: number;
}

/**
 * PostgreSQL is the truth, Redis is transport: every replica runs this every few seconds. Queued
 * notifications are claimed with a lease (SKIP LOCKED) and their BullMQ job looked up:
 * - waiting, delayed or active → nothing to do;
 * - missing (Redis lost it, or the enqueue after commit failed) → enqueue again;
 * - ended while the row still says queued (the outcome was not recorded) → remove the job and
 *   enqueue again with the tries left, or mark the row failed when none are.
 * A marker key detects that Redis lost everything; then every queued row is checked at once.
 */
@Injectable()
export class MailReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new JsonLogger('mail');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly queue: MailQueue,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runPass(), PASS_EVERY_MS);
    this.timer.unref();
    // First pass as soon as Redis answers (the epoch marker tells whether it lost our jobs).
    this.queue.onConnected(() => this.runPass());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // A pass only reads and re-enqueues: safe to leave one that waits on an unreachable Redis.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running ?? Promise.resolve(), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }

  /** Runs one pass now (after the one under way); returns how many jobs it re-enqueued. */
  async reconcileNow(options: ReconcileOptions = {}): Promise<number> {
    while (this.running) await this.running;
    let requeued = 0;
    this.running = this.pass(options.graceSeconds ?? GRACE_S)
      .then((n) => {
        requeued = n;
      })
      .finally(() => {
        this.running = null;
      });
    await this.running;
    return requeued;
  }

  private runPass(): void {
    // Redis down: nothing to compare with; the epoch marker catches up once it is back.
    if (this.stopped || this.running || !this.queue.connected) return;
    this.running = this.pass(GRACE_S)
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn('mail reconciliation pass failed', { error: message(error) }))
      .finally(() => {
        this.running = null;
      });
  }

  private async pass(graceSeconds: number): Promise<number> {
    if (await this.queue.claimEpoch()) {
      const due = await this.notifications.makeAllDue();
      if (due > 0) this.logger.warn('Redis lost the mail queue; checking every queued mail', { queued: due });
    }
    let requeued = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS && !this.stopped; batch++) {
      const rows = await this.notifications.claimForCheck(BATCH, graceSeconds, MIN_LEASE_S, MAX_LEASE_S);
      for (const row of rows) {
        if (this.stopped) break;
        if (await this.check(row)) requeued++;
      }
      if (rows.length < BATCH) break;
    }
    return requeued;
  }

  private async check(row: QueuedCheckRow): Promise<boolean> {
    try {
      const seen = await this.queue.state(row.id);
      if (isLive(seen.state)) return false;
      // The job ended or vanished: look at the row again (the worker may have just recorded the outcome).
      const current = await this.notifications.statusOf(row.id);
      if (!current || current.status !== 'queued') return false;
      if (current.attempts >= current.maxAttempts) {
        await this.notifications.markFailed(row.id, this.clock.now(), seen.failedReason ?? 'no tries left');
        return false;
      }
      if (seen.state !== 'missing') await this.queue.remove(row.id);
      await this.queue.enqueue([{ id: row.id, attemptsLeft: current.maxAttempts - current.attempts }]);
      this.logger.info('re-queued a mail Redis did not have', { notificationId: row.id, job: seen.state });
      return true;
    } catch (error) {
      this.logger.warn('mail reconciliation failed for one mail', { notificationId: row.id, error: message(error) });
      return false;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
