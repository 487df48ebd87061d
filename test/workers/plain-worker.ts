// A worker as a worker author writes it from docs/workers.md: bullmq and ioredis, nothing from
// src/. Tests run it in-process (handlers are closures that count and gate) while the engine runs
// in-process or as a child process.
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';

export type Handler = (job: Job) => Promise<unknown>;

export interface PlainWorkers {
  /** Every job the handlers were called with, in call order (retries included). */
  readonly calls: { queue: string; id: string; attemptsMade: number; data: any; name: string; opts: any }[];
  close(): Promise<void>;
}

export async function startPlainWorkers(
  options: { redisUrl: string; prefix: string; concurrency?: number },
  handlers: Record<string, Handler>,
): Promise<PlainWorkers> {
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const calls: PlainWorkers['calls'] = [];
  const workers = Object.entries(handlers).map(([queue, handler]) => {
    const worker = new Worker(
      queue,
      async (job) => {
        calls.push({ queue, id: job.id!, attemptsMade: job.attemptsMade, data: job.data, name: job.name, opts: job.opts });
        return handler(job);
      },
      { connection, prefix: options.prefix, concurrency: options.concurrency ?? 8 },
    );
    // Keys deleted under a running worker make its next command fail; the job is simply lost.
    worker.on('error', () => undefined);
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return {
    calls,
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await connection.quit();
    },
  };
}
