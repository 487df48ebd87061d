import pg from 'pg';
// Defined here (not imported): jest loads global setup without the `.js` → `.ts` module mapping.
export const TEST_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DB_PREFIX = 'flowdesk_test_';

/** Test databases are named after the jest worker's pid; one whose process is gone was left behind. */
function ownerIsAlive(databaseName: string): boolean {
  const pid = Number(databaseName.slice(TEST_DB_PREFIX.length).split('_')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes databases left behind by interrupted earlier runs; every test file makes its own. */
export default async function globalSetup(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_URL });
  await client.connect();
  try {
    const stale = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${TEST_DB_PREFIX}%`]);
    for (const { datname } of stale.rows) {
      if (ownerIsAlive(datname)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
