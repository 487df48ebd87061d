import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { createApp } from '../../src/app.factory.js';
import { type AppConfig, loadConfig } from '../../src/config/config.js';
import { signDevToken } from '../../src/identity/dev-token.js';
import { TEST_ADMIN_URL, TEST_DB_PREFIX } from './global-setup.js';

export { TEST_ADMIN_URL, TEST_DB_PREFIX };

export const TEST_JWT_SECRET = 'flowdesk-test-secret-0123456789';

export interface TestApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly config: AppConfig;
  readonly databaseName: string;
  /** A signed bearer token for a user with these groups. */
  token(user: string, roles?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** A fresh database URL on the local server; the app creates and migrates it at start-up. */
export function freshDatabaseUrl(): { url: string; name: string } {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

export function testConfig(overrides: Record<string, string> = {}): { config: AppConfig; databaseName: string } {
  const database = freshDatabaseUrl();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    BULLMQ_PREFIX: `fdtest_${randomBytes(4).toString('hex')}`,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    PROCESSES_DIR: 'test/fixtures/no-processes',
    LOG_LEVEL: 'error',
    // Two jest workers, some tests with two replicas: stay well under PostgreSQL's 100 connections.
    DATABASE_POOL_MAX: '8',
    PORT: '0',
    ...overrides,
  });
  return { config, databaseName: database.name };
}

/** Boots the production-wired app on a random port against its own fresh database. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const { config, databaseName } = testConfig(overrides);
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    databaseName,
    url: `http://127.0.0.1:${port}`,
    token: (user, roles = []) => signDevToken({ user, roles }, TEST_JWT_SECRET),
    close: async () => {
      await app.close();
      await dropDatabase(databaseName);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
