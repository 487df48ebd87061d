import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import type { DueTimer } from '../src/persistence/timer.repository.js';
import { StartTimers } from '../src/timers/start-timers.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { dropDatabase, startTestApp, testConfig, type TestApp } from './support/test-app.js';
import { until } from './support/wait.js';

// Real elapsed time on purpose (one-second cycles): these prove the poller, the firing transaction
// and the rescheduling on deploy together. Every count below is exact because a chain with no
// pending row can start nothing more.

/** A process started by a timer start event `tick` (and, if asked, a none start event too). */
const timerStarted = (id: string, timerType: string, text: string, options: { name?: string; noneStart?: boolean } = {}) =>
  definitions(`
  <bpmn:process id="${id}" name="${options.name ?? id}" isExecutable="true">
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:${timerType}>${text}</bpmn:${timerType}></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end" />
    ${options.noneStart ? '<bpmn:startEvent id="manual" /><bpmn:sequenceFlow id="f2" sourceRef="manual" targetRef="end" />' : ''}
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const noneStarted = (id: string) =>
  definitions(`
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="manual" />
    <bpmn:sequenceFlow id="f1" sourceRef="manual" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

interface StartTimerRow {
  key: string;
  version: number;
  elementId: string;
  state: 'pending' | 'fired' | 'canceled';
  firedCount: number;
  dueAt: Date;
}

describe('timer start events', () => {
  let t: TestApp;
  let db: TestDb;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    admin = await t.token('ada', ['admin']);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const deploy = (name: string, xml: string) => http('POST', `${t.url}/api/deployments`, { token: admin, body: modelForm([{ name, xml }]) });
  const deployOk = async (name: string, xml: string) => {
    const response = await deploy(name, xml);
    expect(response.status).toBe(201);
    return response.body.definitions[0] as { id: string; key: string; version: number; isNew: boolean };
  };
  const instances = async (key: string, version?: number) => {
    const [row] = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM process_instance WHERE definition_key = $1 AND ($2::int IS NULL OR definition_version = $2)`,
      [key, version ?? null],
    );
    return row!.n;
  };
  const startTimerRows = (key: string) =>
    db.rows<StartTimerRow>(
      `SELECT t.key, d.version, t.element_id AS "elementId", t.state, (t.timer->>'firedCount')::int AS "firedCount", t.due_at AS "dueAt"
       FROM timer t JOIN process_definition d ON d.id = t.definition_id
       WHERE t.kind = 'start' AND d.key = $1 ORDER BY t.created_at, t.key`,
      [key],
    );
  const pending = async (key: string) => (await startTimerRows(key)).filter((row) => row.state === 'pending');
  it('a cycle R3/PT1S starts exactly three instances at the timer start event, each recorded as timer.fired', async () => {
    await deployOk('r3.bpmn', timerStarted('r3', 'timeCycle', 'R3/PT1S'));
    await until('the R3 chain to end', async () => (await pending('r3')).length === 0);
    const rows = await startTimerRows('r3');
    expect(rows.map((row) => [row.state, row.firedCount])).toEqual([['fired', 0], ['fired', 1], ['fired', 2]]);
    expect(await instances('r3')).toBe(3);
    const started = await db.rows<{ id: string; status: string }>(`SELECT id, status FROM process_instance WHERE definition_key = 'r3'`);
    for (const instance of started) {
      expect(instance.status).toBe('completed');
      const history = await db.rows<{ type: string; elementId: string | null; data: Record<string, unknown> }>(
        `SELECT type, element_id AS "elementId", data FROM history_event WHERE process_instance_id = $1 ORDER BY id LIMIT 2`,
        [instance.id],
      );
      expect(history[0]).toMatchObject({ type: 'timer.fired', elementId: 'tick', data: { role: 'start' } });
      expect(history[1]).toMatchObject({ type: 'instance.started', data: { startEventId: 'tick' } });
    }
    const timerKeys = await db.rows<{ k: string }>(
      `SELECT data->>'timerKey' AS k FROM history_event WHERE type = 'timer.fired' AND process_instance_id = ANY($1::uuid[]) ORDER BY 1`,
      [started.map((instance) => instance.id)],
    );
    expect(timerKeys.map((row) => row.k)).toEqual(rows.map((row) => row.key).sort());
  });

  it('a timeDate a moment ahead starts one instance; a FEEL timeCycle is evaluated without variables', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    await deployOk('once.bpmn', timerStarted('once', 'timeDate', at));
    await deployOk('feel.bpmn', timerStarted('feel_cycle', 'timeCycle', '= "R" + string(1 + 1) + "/PT1S"'));
    expect((await startTimerRows('once')).map((row) => row.dueAt.toISOString())).toEqual([at]);
    await until('the timeDate and FEEL timers to fire', async () => (await pending('once')).length === 0 && (await pending('feel_cycle')).length === 0);
    expect((await startTimerRows('once')).map((row) => row.state)).toEqual(['fired']);
    expect(await instances('once')).toBe(1);
    expect((await startTimerRows('feel_cycle')).map((row) => row.state)).toEqual(['fired', 'fired']);
    expect(await instances('feel_cycle')).toBe(2);
  });

  it('a cron cycle starts instances of the latest version: a redeploy cancels v1 timers, one without a timer start stops them', async () => {
    expect((await deployOk('cron.bpmn', timerStarted('cron', 'timeCycle', '* * * * * *'))).version).toBe(1);
    await until('two cron starts of v1', async () => (await instances('cron', 1)) >= 2);

    const v2 = await deployOk('cron.bpmn', timerStarted('cron', 'timeCycle', '* * * * * *', { name: 'Every second, v2' }));
    expect(v2).toMatchObject({ version: 2, isNew: true });
    // The reschedule ran before the deploy answered: v1 starts nothing from here on.
    const v1Started = await instances('cron', 1);
    const afterV2 = await startTimerRows('cron');
    expect(afterV2.filter((row) => row.version === 1 && row.state === 'pending')).toEqual([]);
    expect(afterV2.filter((row) => row.version === 1 && row.state === 'canceled')).toHaveLength(1);
    expect(afterV2.filter((row) => row.state === 'pending').map((row) => row.version)).toEqual([2]);
    await until('two cron starts of v2', async () => (await instances('cron', 2)) >= 2);
    expect(await instances('cron', 1)).toBe(v1Started);

    const v3 = await deployOk('cron.bpmn', noneStarted('cron'));
    expect(v3).toMatchObject({ version: 3, isNew: true });
    expect(await pending('cron')).toEqual([]);
    const total = await instances('cron');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await instances('cron')).toBe(total);
    expect(await instances('cron', 3)).toBe(0);
  }, 60_000);

  it('an identical redeploy changes nothing; repair restores a lost timer once, however often it runs', async () => {
    const first = await deployOk('hourly.bpmn', timerStarted('hourly', 'timeCycle', 'R/PT1H'));
    const [scheduled] = await pending('hourly');
    expect(scheduled).toMatchObject({ version: 1, elementId: 'tick', firedCount: 0 });
    const again = await deployOk('hourly.bpmn', timerStarted('hourly', 'timeCycle', 'R/PT1H'));
    expect(again).toMatchObject({ id: first.id, isNew: false });
    expect(await startTimerRows('hourly')).toEqual([scheduled]);

    const startTimers = t.app.get(StartTimers);
    await startTimers.repair();
    expect(await startTimerRows('hourly')).toEqual([scheduled]);

    // Lost (a crash between a deploy's commit and its reschedule): the repair finds the key and puts back one.
    await db.rows(`DELETE FROM timer WHERE key = $1`, [scheduled!.key]);
    expect(await startTimerRows('hourly')).toEqual([]);
    expect(await startTimers.repair()).toBeGreaterThanOrEqual(1);
    expect((await startTimerRows('hourly')).map((row) => [row.version, row.state])).toEqual([[1, 'pending']]);
    expect(await startTimers.repair()).toBe(0);
    // Concurrent reschedules (replicas booting together) put back exactly one.
    await db.rows(`DELETE FROM timer WHERE kind = 'start' AND definition_id = $1`, [first.id]);
    await Promise.all([startTimers.repair(), startTimers.reschedule('hourly'), startTimers.reschedule('hourly'), startTimers.reschedule('hourly')]);
    expect((await startTimerRows('hourly')).map((row) => [row.version, row.state])).toEqual([[1, 'pending']]);
  });

  it('a due start timer of a version that is no longer the latest is canceled, not fired', async () => {
    await deployOk('stale.bpmn', timerStarted('stale', 'timeCycle', 'R/PT1H'));
    const v1 = await db.rows<{ id: string }>(`SELECT id FROM process_definition WHERE key = 'stale' AND version = 1`);
    await deployOk('stale.bpmn', timerStarted('stale', 'timeCycle', 'R/PT1H', { name: 'v2' }));
    // As if the reschedule had crashed: a v1 timer still pending, and due now.
    await db.rows(
      `INSERT INTO timer (key, kind, definition_id, element_id, due_at, state, timer, created_at)
       VALUES (gen_random_uuid(), 'start', $1, 'tick', now(), 'pending', '{"timerType":"timeCycle","text":"R/PT1H","schedule":{"kind":"cycle","repetitions":null,"interval":{"years":0,"months":0,"weeks":0,"days":0,"hours":1,"minutes":0,"seconds":0}},"dueAt":"2020-01-01T00:00:00Z","firedCount":0,"createdAt":"2020-01-01T00:00:00Z"}', now())`,
      [v1[0]!.id],
    );
    await until('the superseded row to be canceled', async () => (await startTimerRows('stale')).filter((row) => row.version === 1 && row.state === 'pending').length === 0);
    const rows = await startTimerRows('stale');
    expect(rows.filter((row) => row.version === 1).map((row) => row.state)).toEqual(['canceled', 'canceled']);
    expect(rows.filter((row) => row.version === 2).map((row) => row.state)).toEqual(['pending']);
    expect(await instances('stale')).toBe(0);
  });

  it('refuses a timer start event that does not parse or evaluate, naming it (400)', async () => {
    const literal = await deploy('bad.bpmn', timerStarted('bad_literal', 'timeCycle', 'R3/PT1X'));
    expect(literal.status).toBe(400);
    expect(literal.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ elementId: 'tick', message: expect.stringMatching(/R3\/PT1X/) })]));
    const feel = await deploy('bad.bpmn', timerStarted('bad_feel', 'timeDate', '= "next tuesday"'));
    expect(feel.status).toBe(400);
    expect(feel.body.details).toEqual([expect.objectContaining({ elementId: 'tick', message: expect.stringMatching(/timer start event 'tick'.*next tuesday/) })]);
    const unknown = await deploy('bad.bpmn', timerStarted('bad_var', 'timeDate', '= startAt'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]).toMatchObject({ elementId: 'tick' });
    expect(await db.rows(`SELECT key FROM process_definition WHERE key LIKE 'bad_%'`)).toEqual([]);
  });

  describe('two replicas on one database', () => {
    let second: INestApplication;

    beforeAll(async () => {
      const { config } = testConfig({ DATABASE_URL: t.config.databaseUrl, BULLMQ_PREFIX: t.config.bullmqPrefix });
      second = await createApp(config);
      await second.init();
    });
    afterAll(async () => {
      await second.close();
    });

    it('start each occurrence of twenty R3/PT1S cycles exactly once (60 instances)', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `pair_${i}`);
      const response = await http('POST', `${t.url}/api/deployments`, {
        token: admin,
        body: modelForm(keys.map((key) => ({ name: `${key}.bpmn`, xml: timerStarted(key, 'timeCycle', 'R3/PT1S') }))),
      });
      expect(response.status).toBe(201);
      await until('the repaired timer', async () => {
        const [row] = await db.rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM timer t JOIN process_definition d ON d.id = t.definition_id WHERE t.kind = 'start' AND t.state = 'pending' AND d.key LIKE 'pair\\_%'`,
        );
        return row!.n === 0;
      }, 40_000);
      const perKey = await db.rows<{ key: string; n: number }>(
        `SELECT definition_key AS key, count(*)::int AS n FROM process_instance WHERE definition_key LIKE 'pair\\_%' GROUP BY 1 ORDER BY 1`,
      );
      expect(perKey).toEqual(keys.sort().map((key) => ({ key, n: 3 })));
      const fired = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM history_event h JOIN process_instance p ON p.id = h.process_instance_id
         WHERE h.type = 'timer.fired' AND p.definition_key LIKE 'pair\\_%'`,
      );
      expect(fired[0]!.n).toBe(60);
    }, 60_000);

    it('the same due row fired by both replicas at once starts one instance and schedules one next occurrence', async () => {
      await deployOk('both.bpmn', timerStarted('both', 'timeCycle', 'R/PT1H'));
      const [row] = await db.rows<DueTimer>(
        `SELECT t.key, t.kind, t.process_instance_id AS "processInstanceId", t.definition_id AS "definitionId", t.element_id AS "elementId",
                t.task_id AS "taskId", t.due_at AS "dueAt", t.timer
         FROM timer t JOIN process_definition d ON d.id = t.definition_id WHERE d.key = 'both' AND t.kind = 'start' AND t.state = 'pending'`,
      );
      await Promise.all([t.app.get(StartTimers).fire(row!), second.get(StartTimers).fire(row!), t.app.get(StartTimers).fire(row!)]);
      expect(await instances('both')).toBe(1);
      expect((await startTimerRows('both')).map((r) => [r.state, r.firedCount])).toEqual([['fired', 0], ['pending', 1]]);
    });
  });

  it('models in the processes folder get their start timers at start-up, once across restarts', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'flowdesk-start-timers-'));
    await writeFile(path.join(directory, 'nightly.bpmn'), timerStarted('nightly', 'timeCycle', 'R/2026-01-01T02:00:00Z/P1D'));
    const { config, databaseName } = testConfig({ PROCESSES_DIR: directory });
    let own: TestDb | null = null;
    try {
      for (let boot = 0; boot < 2; boot++) {
        const app = await createApp(boot === 0 ? config : testConfig({ PROCESSES_DIR: directory, DATABASE_URL: config.databaseUrl }).config);
        await app.init();
        await app.close();
      }
      own = new TestDb(config.databaseUrl);
      const rows = await own.rows<{ state: string; dueAt: Date; version: number }>(
        `SELECT t.state, t.due_at AS "dueAt", d.version FROM timer t JOIN process_definition d ON d.id = t.definition_id WHERE t.kind = 'start' AND d.key = 'nightly'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ state: 'pending', version: 1 });
      expect(rows[0]!.dueAt.toISOString()).toMatch(/T02:00:00\.000Z$/);
    } finally {
      await own?.close();
      await dropDatabase(databaseName);
      await rm(directory, { recursive: true, force: true });
    }
  }, 90_000);
});
