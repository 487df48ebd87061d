import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DeploymentEntity } from './entities/deployment.entity.js';
import { ProcessDefinitionEntity } from './entities/process-definition.entity.js';
import { Deployments1764770000000 } from './migrations/1764770000000-deployments.js';
import { Runtime1764780000000 } from './migrations/1764780000000-runtime.js';
import { Worklist1764800000000 } from './migrations/1764800000000-worklist.js';
import { Timers1764820000000 } from './migrations/1764820000000-timers.js';
import { Jobs1764790000000 } from './migrations/1764790000000-jobs.js';
import { Events1764810000000 } from './migrations/1764810000000-events.js';
import { Notifications1764830000000 } from './migrations/1764830000000-notifications.js';
import { Deadlines1764840000000 } from './migrations/1764840000000-deadlines.js';

// Listed explicitly: globs do not work for ESM modules loaded through TypeORM.
export const ENTITIES = [DeploymentEntity, ProcessDefinitionEntity];
export const MIGRATIONS = [Deployments1764770000000, Runtime1764780000000, Jobs1764790000000, Worklist1764800000000, Events1764810000000, Timers1764820000000, Notifications1764830000000, Deadlines1764840000000];

export function dataSourceOptions(databaseUrl: string, poolMax = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // A burst waits for a free connection rather than failing fast: a queued command is cheaper than a 500.
    // Engine steps rely on READ COMMITTED plus row locks. Set per connection, whatever the server's
    // default, so a transaction needs no SET TRANSACTION round trip of its own.
    extra: { max: poolMax, connectionTimeoutMillis: 20000, options: '-c default_transaction_isolation=read\\ committed' },
  };
}

const MIGRATION_LOCK_KEY = 7_140_001;

/** Creates the database named in the URL when it does not exist yet (start-up convenience). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        // Another replica created it between our check and our CREATE.
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** Connects, creating the database when missing, and applies pending migrations. */
export async function openDataSource(databaseUrl: string, poolMax = 20): Promise<DataSource> {
  await ensureDatabase(databaseUrl);
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, poolMax));
  await dataSource.initialize();
  // Replicas starting together must not run the same migration twice: serialise on a lock.
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}
