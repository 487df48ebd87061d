import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger } from '../common/json-logger.js';
import { JobRepository, type ReconcileRow } from '../persistence/job.repository.js';
import { JobDispatcher } from './job-dispatcher.js';
import { InstanceSuspended, JobResults } from './job-results.js';
import { isInFlight, JobTransport } from './job-transport.js';

const PASS_EVERY_MS = 5000;
/** A job younger than this is left to the outbox relay (its first publish may be under way). */
const GRACE_S = 10;
/** Between two checks of one job: half its age, within these bounds. */
const MIN_LEASE_S = 10;
const MAX_LEASE_S = 300;
const BATCH = 200;
const MAX_BATCHES_PER_PASS = 50;
const CHECKS_AT_ONCE = 8;
const SHUTDOWN_WAIT_MS = 2000;

/**
 * PostgreSQL is the truth, Redis is transport. Every replica runs this every few seconds; pending
 * jobs are claimed with a lease (SKIP LOCKED), so replicas share the work instead of repeating it.
 * For each claimed job it looks at Redis:
 * - an outcome is recorded (on the result parent or the worker's job) → apply it (a result the
 *   engine missed: its parent failed or was lost; applying twice is harmless, the second is stale);
 * - the worker's job is still queued or running → nothing to do;
 * - nothing there → publish the job again (Redis lost it), after removing an orphaned parent.
 * A marker key detects that Redis lost everything (restart, flush): then every pending job is
 * checked at once rather than as its lease comes due.
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new JsonLogger('jobs');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly jobs: JobRepository,
    private readonly transport: JobTransport,
    private readonly dispatcher: JobDispatcher,
    private readonly results: JobResults,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runPass(), PASS_EVERY_MS);
    this.timer.unref();
    void this.runPass();
  }

  /** Runs one pass now (or waits for the one under way) — for tests and tools. */
  async reconcileNow(): Promise<void> {
    while (this.running) await this.running;
    await this.runPass();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // A pass stops between jobs; one stuck on an unreachable Redis is not waited for (PostgreSQL
    // is the truth: whatever it did not finish, the next pass of any replica does).
    if (this.running) await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
  }

  private runPass(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) return this.running;
    this.running = this.pass()
      .catch((error: unknown) => this.logger.warn('job reconciliation pass failed', { error: message(error) }))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pass(): Promise<void> {
    // Nothing to compare with while Redis is away (RedisConnections logs that); the next pass will.
    if (!this.transport.redisReady()) return;
    if (await this.transport.claimEpoch()) {
      const due = await this.jobs.makeAllDue();
      if (due > 0) this.logger.warn('Redis lost the job queues; checking every pending job', { pending: due });
    }
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS && !this.stopped; batch++) {
      const rows = await this.jobs.claimDue(BATCH, GRACE_S, MIN_LEASE_S, MAX_LEASE_S);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CHECKS_AT_ONCE, rows.length) }, async () => {
          while (next < rows.length && !this.stopped) await this.check(rows[next++]!);
        }),
      );
      if (rows.length < BATCH) return;
    }
  }

  private async check(row: ReconcileRow): Promise<void> {
    try {
      const seen = await this.transport.inspect(row.type, row.key);
      if (seen.outcome) {
        const applied = await this.results.apply({ jobKey: row.key, processInstanceId: row.processInstanceId, rootInstanceId: row.rootInstanceId }, seen.outcome);
        if (applied === 'applied') this.logger.info('recovered a job result', { jobKey: row.key });
        return;
      }
      // The worker's job is queued or running under its parent: the result will come back.
      if (isInFlight(seen.child) && seen.parent === 'waiting-children') return;
      // Otherwise Redis has no working flow for a pending job: publish it again. Leftovers go first,
      // so the new flow is not taken for a duplicate: a parent without its child would wait forever,
      // and a job in no state at all ('unknown': its lists were lost but not its hash) would never
      // run. A child still queued or running is kept; the new flow re-attaches it.
      if (!(await this.jobs.pendingKeys([row.key])).has(row.key)) return;
      if (seen.child === 'unknown') await this.transport.removeJob(row.type, row.key);
      if (seen.parent !== 'missing') await this.transport.removeParent(row.key);
      await this.dispatcher.dispatch(row.key);
      this.logger.info('re-published a job Redis did not have', { jobKey: row.key, jobType: row.type, parent: seen.parent, child: seen.child });
    } catch (error) {
      if (error instanceof InstanceSuspended) return;
      this.logger.warn('job reconciliation failed for one job', { jobKey: row.key, error: message(error) });
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
