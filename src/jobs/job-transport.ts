import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { FlowProducer, type FlowJob, type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { DispatchRow } from '../persistence/job.repository.js';
import { RedisConnections } from '../redis/redis.module.js';
import { backoffDelayMs, type FlowdeskJobData, type JobOutcome, RESULTS_QUEUE, type ResultParentData } from './job-protocol.js';

/** A Redis call that does not answer in this time is abandoned (Redis down: the caller retries later). */
const REDIS_TIMEOUT_MS = 5000;
/** How long an operation waits for a connection that is being (re)established. */
const CONNECT_WAIT_MS = 2000;
/** Result parents our own processor failed on this often go to `failed` (the reconciler still finds them). */
const PARENT_ATTEMPTS = 10;
const DAY_S = 86_400;

/** A BullMQ job state, or `missing` when there is no such job. */
export type SeenState = 'missing' | 'waiting' | 'waiting-children' | 'prioritized' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';

/** What Redis holds for one job key: the result parent, the worker's job, and the outcome if it ended. */
export interface SeenJob {
  readonly parent: SeenState;
  readonly child: SeenState;
  readonly outcome: JobOutcome | null;
}

const IN_FLIGHT: ReadonlySet<SeenState> = new Set(['waiting', 'waiting-children', 'prioritized', 'delayed', 'active']);
export const isInFlight = (state: SeenState): boolean => IN_FLIGHT.has(state);

/**
 * Flowdesk's side of the BullMQ protocol: publishes jobs as flows (result parent in RESULTS_QUEUE,
 * the worker's job as its child), removes canceled ones, and inspects what Redis knows of a job.
 * Queues and the flow producer share one ready ioredis client owned by RedisConnections.
 */
@Injectable()
export class JobTransport implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly flows: FlowProducer;
  private readonly queues = new Map<string, Queue>();
  private closing = false;

  constructor(redis: RedisConnections, @Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.bullmqPrefix;
    this.client = redis.forBullmq();
    this.flows = new FlowProducer({ connection: this.client, prefix: this.prefix });
    // Errors surface on the calls that fail; without a listener an 'error' event would crash the process.
    this.flows.on('error', () => undefined);
  }

  /** Adds the flows of these pending jobs in one atomic MULTI. A job id that exists is a no-op (BullMQ dedupe). */
  async publish(rows: readonly DispatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.assertOpen();
    await withTimeout(this.flows.addBulk(rows.map((row) => this.flowOf(row))), 'publishing jobs');
  }

  /**
   * Removes a canceled job's flow (parent and child) unless the worker holds the child right now;
   * then its result comes back later and the engine finds the job stale.
   */
  async remove(jobKey: string): Promise<void> {
    await this.assertOpen();
    await withTimeout(this.queue(RESULTS_QUEUE).remove(jobKey, { removeChildren: true }), 'removing a job');
  }

  /** Removes the worker's job alone (one left in no state); a job a worker holds is left alone. */
  async removeJob(jobType: string, jobKey: string): Promise<void> {
    await this.assertOpen();
    await withTimeout(this.queue(jobType).remove(jobKey), 'removing a job');
  }

  /** Removes a result parent alone (one whose child vanished), so the flow can be published anew. */
  async removeParent(jobKey: string): Promise<void> {
    await this.assertOpen();
    await withTimeout(this.queue(RESULTS_QUEUE).remove(jobKey, { removeChildren: false }), 'removing a result parent');
  }

  /** What Redis holds for this job: the outcome from the parent (or the child if the parent is gone). */
  async inspect(jobType: string, jobKey: string): Promise<SeenJob> {
    await this.assertOpen();
    return withTimeout(this.inspectNow(jobType, jobKey), 'inspecting a job');
  }

  /** The outcome BullMQ recorded on a result parent: its child's return value or final failure. */
  async outcomeOf(parent: Job): Promise<JobOutcome | null> {
    const values = await parent.getChildrenValues();
    const returned = values ? Object.values(values) : [];
    if (returned.length > 0) return { kind: 'returned', value: returned[0] };
    const failures = await parent.getIgnoredChildrenFailures();
    const reasons = failures ? Object.values(failures) : [];
    if (reasons.length > 0) return { kind: 'failed', reason: String(reasons[0]) };
    return null;
  }

  /**
   * True when this call found the reconciler's marker missing and set it: Redis (or our prefix)
   * lost its data since the last pass (or this is the first start on it). Exactly one caller wins.
   */
  async claimEpoch(): Promise<boolean> {
    await this.assertOpen();
    const set = await withTimeout(this.client.set(`${this.prefix}:${RESULTS_QUEUE}:reconciler-epoch`, new Date().toISOString(), 'NX'), 'checking the epoch marker');
    return set === 'OK';
  }

  /** Whether the Redis connection is up right now. */
  redisReady(): boolean {
    return this.client.status === 'ready';
  }

  /** Runs `start` once Redis is reachable (now, or when it first connects). */
  onConnected(start: () => void): void {
    if (this.redisReady()) start();
    else this.client.once('ready', start);
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    // Commands queued while Redis is unreachable would make the client's QUIT wait forever.
    if (!this.redisReady()) this.client.disconnect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    // Shared client: closing these never quits it (RedisConnections does).
    await Promise.allSettled([this.flows.close(), ...[...this.queues.values()].map((queue) => queue.close())]);
    this.queues.clear();
  }

  private async inspectNow(jobType: string, jobKey: string): Promise<SeenJob> {
    const [parent, child] = await Promise.all([this.queue(RESULTS_QUEUE).getJob(jobKey), this.queue(jobType).getJob(jobKey)]);
    const [parentState, childState] = await Promise.all([stateOf(parent), stateOf(child)]);
    let outcome = parent ? await this.outcomeOf(parent) : null;
    if (!outcome && child && childState === 'completed') outcome = { kind: 'returned', value: child.returnvalue };
    if (!outcome && child && childState === 'failed') outcome = { kind: 'failed', reason: child.failedReason ?? '' };
    return { parent: parentState, child: childState, outcome };
  }

  private flowOf(row: DispatchRow): FlowJob {
    const data: FlowdeskJobData = {
      processInstanceId: row.processInstanceId,
      elementId: row.elementId,
      jobKey: row.key,
      businessKey: row.businessKey,
      definitionKey: row.definitionKey,
      variables: row.variables ?? {},
      headers: row.headers ?? {},
    };
    const parent: ResultParentData = { jobKey: row.key, processInstanceId: row.processInstanceId, rootInstanceId: row.rootInstanceId, jobType: row.type };
    return {
      name: row.type,
      queueName: RESULTS_QUEUE,
      data: parent,
      opts: {
        jobId: row.key,
        attempts: PARENT_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        // Applied in PostgreSQL by then; a failed parent stays for diagnosis and the reconciler.
        removeOnComplete: true,
        removeOnFail: { age: 7 * DAY_S },
      },
      children: [
        {
          name: row.type,
          queueName: row.type,
          data,
          opts: {
            jobId: row.key,
            attempts: Math.max(1, row.retries),
            backoff: { type: 'exponential', delay: backoffDelayMs(row.headers ?? {}) },
            // The final failure is recorded on the parent, which then runs: failJob → incident.
            ignoreDependencyOnFailure: true,
            removeOnComplete: { age: DAY_S, count: 1000 },
            removeOnFail: { age: 7 * DAY_S, count: 10_000 },
          },
        },
      ],
    };
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.client, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Waits briefly for a connection that is (re)connecting, and otherwise fails fast instead of
   * queueing commands while Redis is unreachable (the callers retry later).
   */
  private async assertOpen(): Promise<void> {
    if (this.closing) throw new Error('the job transport is shutting down');
    if (this.redisReady()) return;
    await new Promise<void>((resolve, reject) => {
      const ready = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.off('ready', ready);
        reject(new Error(`Redis is not connected (${this.client.status})`));
      }, CONNECT_WAIT_MS);
      this.client.once('ready', ready);
    });
  }
}

async function stateOf(job: Job | undefined): Promise<SeenState> {
  if (!job) return 'missing';
  return (await job.getState()) as SeenState;
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
