import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { JsonLogger } from '../common/json-logger.js';
import { TimerRepository, type DueTimer, type TimerKind } from '../persistence/timer.repository.js';
import { CommandExecutor } from '../runtime/command-executor.js';
import { TimerWakeups } from '../runtime/timer-wakeups.js';

const BATCH = 200;
const LEASE_MS = 30_000;
const MAX_SLEEP_MS = 500;
const CONCURRENCY = 8;
const SUSPENDED_RETRY_MS = 5_000;

/**
 * Fires one claimed timer of a kind other than `engine`. It must be exactly-once by itself (e.g. flip
 * the row from pending to fired in the same transaction as its work); throwing leaves the lease to
 * expire so another round tries again.
 */
export type TimerHandler = (timer: DueTimer) => Promise<void>;

/**
 * Fires due timers on every replica. Each round claims a batch of due timers (lease + SKIP LOCKED)
 * and runs `fireTimer` for each through the CommandExecutor; the engine accepts a timer only while
 * its element still waits on it, so each fires exactly once however many replicas poll. Timers are
 * rows in PostgreSQL, so they survive restarts and Redis loss.
 */
@Injectable()
export class TimerPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new JsonLogger('timers');
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** When the current sleep ends (ms since epoch); a timer committed here for earlier wakes the loop. */
  private sleepingUntil = 0;
  private readonly handlers = new Map<Exclude<TimerKind, 'engine'>, TimerHandler>();

  constructor(
    private readonly timers: TimerRepository,
    private readonly executor: CommandExecutor,
    wakeups: TimerWakeups,
  ) {
    wakeups.onScheduled((dueAt) => {
      if (dueAt.getTime() < this.sleepingUntil) this.wake?.();
    });
  }

  /** Other modules fire their kinds of timer rows (start events, task deadlines) through the same poller. */
  register(kind: Exclude<TimerKind, 'engine'>, handler: TimerHandler): void {
    this.handlers.set(kind, handler);
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.round();
      } catch (error) {
        this.logger.error('timer round failed', { error: error instanceof Error ? error.message : String(error) });
      }
      // A full batch means more are due: go again at once. Otherwise sleep until the next due time.
      if (claimed < BATCH) await this.sleep(await this.untilNextDue());
    }
  }

  /** One round: claim due timers and fire them with bounded concurrency. Returns how many were claimed. */
  async round(): Promise<number> {
    const due = await this.timers.claimDue(BATCH, LEASE_MS);
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.stopped) await this.fire(due[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
    return due.length;
  }

  private async fire(timer: DueTimer): Promise<void> {
    if (timer.kind !== 'engine') return this.fireOther(timer);
    if (timer.processInstanceId === null) return;
    try {
      const outcome = await this.executor.execute(timer.processInstanceId, { type: 'fireTimer', timerKey: timer.key });
      if (outcome === 'stale') await this.timers.cancel(timer.key);
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'conflict' || error.code === 'not-found')) {
        const status = await this.timers.instanceStatus(timer.processInstanceId);
        if (status === 'suspended') await this.timers.release(timer.key, SUSPENDED_RETRY_MS);
        else await this.timers.cancel(timer.key);
        return;
      }
      // Anything else: leave the lease to expire so any replica tries again.
      this.logger.error('timer could not fire', { timerKey: timer.key, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async fireOther(timer: DueTimer): Promise<void> {
    const handler = timer.kind === 'engine' ? undefined : this.handlers.get(timer.kind);
    if (!handler) {
      this.logger.warn('no handler for timer kind; it is left for a replica that has one', { timerKey: timer.key, kind: timer.kind });
      return;
    }
    try {
      await handler(timer);
    } catch (error) {
      this.logger.error('timer could not fire', { timerKey: timer.key, kind: timer.kind, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async untilNextDue(): Promise<number> {
    const dueAt = await this.timers.nextDueAt().catch(() => null);
    if (dueAt === null) return MAX_SLEEP_MS;
    return Math.max(10, Math.min(MAX_SLEEP_MS, dueAt.getTime() - Date.now()));
  }

  private sleep(ms: number): Promise<void> {
    this.sleepingUntil = Date.now() + ms;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepingUntil = 0;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
