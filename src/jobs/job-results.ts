import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job, Worker } from 'bullmq';
import { dataExceptionMessage } from '../common/data-exception.js';
import { DomainError } from '../common/domain-error.js';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobRepository } from '../persistence/job.repository.js';
import { RedisConnections } from '../redis/redis.module.js';
import { CommandExecutor, type CommandOutcome } from '../runtime/command-executor.js';
import { commandFor, type JobOutcome, RESULTS_QUEUE, type ResultParentData } from './job-protocol.js';
import { JobTransport } from './job-transport.js';

/** Result parents taken at once per replica; they wait for their batch's transaction, not for a connection each. */
const CONCURRENCY = 32;
/**
 * Results applied in one transaction at most, and such transactions under way at once per replica.
 * One at a time measured best on two cores (206 vs 167 instances/s with two, p99 68 vs 97 ms):
 * concurrent batches mostly compete for the same CPU and WAL flush; replicas add parallelism.
 */
const MAX_BATCH = 32;
const MAX_IN_FLIGHT = 1;
/** Short locks so the results a killed replica held are taken over within seconds (re-applying is harmless). */
const LOCK_MS = 5_000;
const STALLED_CHECK_MS = 2_500;
/** Shutdown waits this long at most for the results under way. */
const SHUTDOWN_GRACE_MS = 10_000;
/** A result for a suspended instance waits this long before it is tried again. */
const SUSPENDED_RETRY_MS = 5_000;

/** How applying a result ended: the engine took it, the wait was already gone, or so is the instance. */
export type ApplyOutcome = 'applied' | 'stale' | 'gone';

/** Which job a result is for. `rootInstanceId` (the row its command locks) defaults to the instance. */
export interface ResultRef {
  readonly jobKey: string;
  readonly processInstanceId: string;
  readonly rootInstanceId?: string;
}

/** The instance is suspended: the result must wait until it resumes. */
export class InstanceSuspended extends Error {
  constructor(instanceId: string) {
    super(`process instance ${instanceId} is suspended`);
    this.name = 'InstanceSuspended';
  }
}

interface Pending {
  readonly ref: ResultRef;
  readonly outcome: JobOutcome;
  readonly resolve: (outcome: ApplyOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The way back: an engine-side BullMQ Worker on RESULTS_QUEUE. BullMQ moves a job's result parent
 * to `wait` when the worker's job completes or fails for the last time, recording the outcome on
 * it in the same Lua script; here it becomes completeJob / throwError / failJob. Results that
 * arrive while every replica is down simply wait in the queue. A late or duplicate result finds
 * its wait gone ('stale') and is acknowledged without effect.
 *
 * Results are applied in batches: whatever arrived while the previous transaction ran goes into the
 * next one (one CommandExecutor session: the roots locked in one statement in id order, every
 * command isolated, one flush), like a database's group commit. A lone result is applied at once.
 */
@Injectable()
export class JobResults implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new JsonLogger('jobs');
  private worker: Worker<ResultParentData> | null = null;
  private queue: Pending[] = [];
  private inFlight = 0;
  private stopping = false;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly jobs: JobRepository,
    private readonly transport: JobTransport,
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Started once Redis is reachable: a BullMQ Worker that never connected cannot be closed.
    this.transport.onConnected(() => this.startWorker());
  }

  private startWorker(): void {
    if (this.stopping || this.worker) return;
    this.worker = new Worker<ResultParentData>(RESULTS_QUEUE, (job, token) => this.process(job, token), {
      connection: this.redis.forBullmq(),
      prefix: this.config.bullmqPrefix,
      concurrency: CONCURRENCY,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      // Re-running a result is idempotent: let stalled ones be taken over, not failed.
      maxStalledCount: 1000,
    });
    this.worker.on('error', (error) => this.logger.warn('results worker error', { error: error.message }));
    this.worker.on('failed', (job, error) => {
      if (error instanceof DelayedError || error.name === 'DelayedError') return;
      this.logger.warn('applying a job result failed, will retry', { jobKey: job?.id, error: error.message, attemptsMade: job?.attemptsMade });
    });
  }

  /**
   * Runs the command for a job's outcome. Rejects with InstanceSuspended when it must wait, and
   * with any other error when it should be retried (database unavailable…).
   */
  apply(ref: ResultRef, outcome: JobOutcome): Promise<ApplyOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ref, outcome, resolve, reject });
      this.pump();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    // Finishes the results under way (their transactions commit) and takes no new ones. A graceful
    // close never ends while Redis is unreachable (BullMQ waits to hand the jobs back): then force
    // it; the parents it held go back to `wait` when their locks expire, for another replica.
    const closing = worker.close(!this.transport.redisReady());
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
  }

  private async process(job: Job<ResultParentData>, token: string | undefined): Promise<ApplyOutcome | 'no-outcome'> {
    const outcome = await this.transport.outcomeOf(job);
    // No outcome: the worker's job was removed (canceled) and the parent released without one.
    if (!outcome) return 'no-outcome';
    try {
      return await this.apply(job.data, outcome);
    } catch (error) {
      if (error instanceof InstanceSuspended && token) {
        await job.moveToDelayed(Date.now() + SUSPENDED_RETRY_MS, token);
        throw new DelayedError();
      }
      throw error;
    }
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.applyBatch(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async applyBatch(batch: readonly Pending[]): Promise<void> {
    let settled: (CommandOutcome | { error: unknown })[] = [];
    try {
      await this.executor.session(async (session) => {
        // The store may run this again after a serialization failure: start from scratch.
        settled = [];
        await session.lockRoots([...new Set(batch.map((item) => item.ref.rootInstanceId ?? item.ref.processInstanceId))].sort());
        for (const item of batch) {
          settled.push(await session.execute(item.ref.processInstanceId, commandFor(item.ref.jobKey, item.outcome)).catch((error: unknown) => ({ error })));
        }
      });
    } catch (error) {
      // The transaction itself failed (database down, or a row one command wrote was refused).
      // One at a time, so one bad result cannot hold the others back.
      if (batch.length === 1) return this.settleFailure(batch[0]!, error);
      for (const item of batch) {
        await this.executor
          .execute(item.ref.processInstanceId, commandFor(item.ref.jobKey, item.outcome))
          .then(
            (outcome) => item.resolve(outcome),
            (failure: unknown) => this.settleFailure(item, failure),
          );
      }
      return;
    }
    await Promise.all(
      batch.map((item, index) => {
        const outcome = settled[index]!;
        return typeof outcome === 'string' ? item.resolve(outcome) : this.settleFailure(item, outcome.error);
      }),
    );
  }

  /** A command that threw: the instance is gone, no longer active (the job is stale), or suspended. */
  private async settleFailure(item: Pending, error: unknown): Promise<void> {
    try {
      const refused = dataExceptionMessage(error);
      if (refused !== null) {
        // A result the database cannot store (a NUL in a text, a number out of range) never will be:
        // the job fails for good, so the instance shows an incident instead of retrying forever.
        const message = `the worker's result cannot be stored: ${refused}`;
        return item.resolve(await this.executor.execute(item.ref.processInstanceId, { type: 'failJob', jobKey: item.ref.jobKey, message }));
      }
      if (!(error instanceof DomainError)) return item.reject(error);
      if (error.code === 'not-found') return item.resolve('gone');
      if (error.code !== 'conflict') return item.reject(error);
      // Conflicts are an instance that is no longer active (the job is then stale) or suspended.
      const status = await this.jobs.instanceStatus(item.ref.processInstanceId);
      if (status === 'suspended') return item.reject(new InstanceSuspended(item.ref.processInstanceId));
      item.resolve('stale');
    } catch (failure) {
      item.reject(failure);
    }
  }
}
