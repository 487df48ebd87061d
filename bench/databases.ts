// The benches' PostgreSQL databases: each section that boots the app gets a fresh database named
// `flowdesk_bench_<pid>_<random>` (created and migrated by the app's own start-up), and drops it
// in its clean-up.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_PREFIX = 'flowdesk_bench_';

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, unused bench database: its name and its URL on the ADMIN_URL server (not created here).
 * By default first drops stale bench databases (see dropStaleDatabases).
 */
export async function freshBenchDatabase({ dropStale = true }: { dropStale?: boolean } = {}): Promise<{ name: string; url: string }> {
  if (dropStale) await dropStaleDatabases();
  const name = `${DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

/**
 * Drops bench databases of earlier runs that died before their clean-up (killed, crashed, Ctrl-C):
 * nothing else would ever remove them, and each keeps a seeded data set (the inbox section's holds
 * 1.25 million tasks). The pid in the name tells a dead run's database from a running bench's
 * (same host only: a pid is checked with kill(pid, 0)).
 */
export async function dropStaleDatabases(): Promise<void> {
  await withAdmin(async (client) => {
    const found = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${DB_PREFIX}%`]);
    for (const { datname } of found.rows) {
      const pid = Number(datname.slice(DB_PREFIX.length).split('_')[0]);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
