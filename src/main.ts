import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { JsonLogger } from './common/json-logger.js';
import { loadConfigOrExit } from './config/config.js';

const logger = new JsonLogger('main');

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  logger.info('Flowdesk listening', { port: config.port, docs: `http://localhost:${config.port}/api/docs` });

  // Drain on SIGTERM/SIGINT: stop accepting, let transactions under way finish, close, exit 0.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const forceExit = setTimeout(() => {
      logger.error('shutdown took longer than 25 s, exiting');
      process.exit(1);
    }, 25_000);
    forceExit.unref();
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  logger.error('start-up failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
