import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JsonLogger } from '../common/json-logger.js';
import { type DispatchRow, JobRepository } from '../persistence/job.repository.js';
import type { OutboxMessage } from '../persistence/outbox.repository.js';
import { CommandExecutor } from '../runtime/command-executor.js';
import { OutboxRelay } from '../runtime/outbox-relay.js';
import { queueNameProblem } from './job-protocol.js';
import { JobTransport } from './job-transport.js';

interface Waiting {
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Turns `job.dispatch` / `job.cancel` outbox rows into BullMQ operations. The relay hands over a
 * batch at a time and calls the handler for every row at once; the keys that arrive in one tick
 * are published together (one SELECT for the rows, one MULTI for the flows), which is what keeps
 * PostgreSQL and Redis work per job small. Publishing checks the job row first: a job that ended
 * before its row was published (canceled in the same step, completed before a replay) is skipped.
 */
@Injectable()
export class JobDispatcher implements OnModuleInit {
  private readonly logger = new JsonLogger('jobs');
  private waiting: Waiting[] = [];
  /** Keys being published right now, so a cancel of the same key runs after its publish. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly relay: OutboxRelay,
    private readonly jobs: JobRepository,
    private readonly transport: JobTransport,
    private readonly executor: CommandExecutor,
  ) {}

  onModuleInit(): void {
    this.relay.register('job.dispatch', (message) => this.dispatch(keyOf(message)));
    this.relay.register('job.cancel', (message) => this.cancel(keyOf(message)));
  }

  /** Publishes one pending job (batched with the others of this tick); resolves once it is in Redis. */
  dispatch(jobKey: string): Promise<void> {
    const published = new Promise<void>((resolve, reject) => {
      this.waiting.push({ key: jobKey, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => void this.flush());
    });
    const tracked = published.finally(() => {
      if (this.inFlight.get(jobKey) === tracked) this.inFlight.delete(jobKey);
    });
    tracked.catch(() => undefined);
    this.inFlight.set(jobKey, tracked);
    return published;
  }

  /** Removes a canceled job from its queue if no worker holds it; its late result is stale anyway. */
  async cancel(jobKey: string): Promise<void> {
    await this.inFlight.get(jobKey)?.catch(() => undefined);
    await this.transport.remove(jobKey);
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const rows = await this.jobs.dispatchRows([...new Set(batch.map((w) => w.key))]);
      const publishable: DispatchRow[] = [];
      for (const row of rows) {
        if (row.state !== 'pending') continue;
        const problem = queueNameProblem(row.type);
        if (problem === null) publishable.push(row);
        else await this.refuse(row, problem);
      }
      await this.transport.publish(publishable);
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  /** A job no BullMQ queue can carry fails at once, so the modeller sees an incident instead of silence. */
  private async refuse(row: DispatchRow, problem: string): Promise<void> {
    this.logger.warn('job cannot be published', { jobKey: row.key, jobType: row.type, problem });
    await this.executor.execute(row.processInstanceId, { type: 'failJob', jobKey: row.key, message: problem }).catch((error: unknown) => {
      this.logger.warn('could not fail an unpublishable job', { jobKey: row.key, error: error instanceof Error ? error.message : String(error) });
    });
  }
}

function keyOf(message: OutboxMessage): string {
  const key = message.payload.jobKey;
  if (typeof key !== 'string') throw new Error(`outbox ${message.kind} row ${message.id} has no jobKey`);
  return key;
}
