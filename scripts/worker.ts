// Runs the example workers for the job types of processes/ against the configured Redis and BullMQ
// prefix (REDIS_URL, BULLMQ_PREFIX), so the README walkthrough runs end to end:
//   npm run worker                      # validate-address, book-shipping, archive-invoice
//   npm run worker -- book-shipping     # only the named job types
import { Redis } from 'ioredis';
import { loadConfigOrExit } from '../src/config/config.js';
import { EXAMPLE_HANDLERS, startExampleWorkers } from '../src/worker/example-workers.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: npm run worker -- [job type …]   (known: ${Object.keys(EXAMPLE_HANDLERS).join(', ')})\n`);
    return;
  }
  const unknown = args.filter((type) => !(type in EXAMPLE_HANDLERS));
  if (unknown.length > 0) {
    process.stderr.write(`no example worker for ${unknown.join(', ')} (known: ${Object.keys(EXAMPLE_HANDLERS).join(', ')})\n`);
    process.exit(2);
  }
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', (error) => process.stderr.write(`redis: ${error.message}\n`));
  const running = startExampleWorkers({
    connection,
    prefix: config.bullmqPrefix,
    types: args.length > 0 ? args : undefined,
    onJob: (type, job, outcome) => log({ msg: 'job done', type, jobKey: job.jobKey, processInstanceId: job.processInstanceId, businessKey: job.businessKey, outcome }),
  });
  for (const worker of running.workers) worker.on('failed', (job, error) => log({ msg: 'job failed', type: worker.name, jobKey: job?.id, attemptsMade: job?.attemptsMade, error: error.message }));
  log({ msg: 'workers running', types: running.workers.map((w) => w.name), redis: config.redisUrl, prefix: config.bullmqPrefix });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.close();
    await connection.quit().catch(() => connection.disconnect());
    log({ msg: 'workers stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

function log(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), context: 'worker', ...entry })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
