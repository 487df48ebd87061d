import { OutboxRelay } from '../src/runtime/outbox-relay.js';
import { TestDb } from './support/db.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('outbox relay', () => {
  let t: TestApp;
  let db: TestDb;
  let relay: OutboxRelay;
  const seen: string[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    relay = t.app.get(OutboxRelay);
    relay.register('test.echo', async (message) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('target down');
      }
      seen.push(String(message.payload.n));
    });
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const insert = (n: number) => db.rows(`INSERT INTO outbox (kind, payload, created_at) VALUES ('test.echo', $1, now())`, [JSON.stringify({ n })]);

  it('publishes every committed row exactly once and marks it published', async () => {
    for (let n = 1; n <= 250; n++) await insert(n);
    relay.kick();
    await relay.idle();
    expect(seen).toHaveLength(250);
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 250 }, (_, i) => String(i + 1)));
    const [left] = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'test.echo' AND published_at IS NULL`);
    expect(left!.n).toBe(0);
  });

  it('keeps a row whose publishing failed, records the error, and publishes it on a later round', async () => {
    seen.length = 0;
    failuresLeft = 1;
    await insert(999);
    relay.kick();
    await relay.idle();
    expect(seen).toEqual([]);
    const [row] = await db.rows(`SELECT attempts, last_error AS "lastError", next_attempt_at AS "nextAttemptAt" FROM outbox WHERE payload->>'n' = '999'`);
    expect(row).toMatchObject({ attempts: 1, lastError: 'target down' });
    // Make it due now instead of waiting for the back-off.
    await db.rows(`UPDATE outbox SET next_attempt_at = now() WHERE payload->>'n' = '999'`);
    relay.kick();
    await relay.idle();
    expect(seen).toEqual(['999']);
  });
});
