import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { RACE } from './support/task-models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Races with exact counts, through HTTP: 50 concurrent completions of one task, 100 times (even
// rounds: 50 different candidates racing to claim-and-complete; odd rounds: one user sending the
// same completion 50 times, serialised by the instance lock), then 50 concurrent claims of the
// next task (every 4th round). Two replicas share the database and the requests alternate between
// them. Every round: exactly one 200, every other answer 409, and the process moved on once.

const RACERS = Number(process.env.RACERS ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 100);
/** The claim race runs on every CLAIM_EVERY-th round's next task. */
const CLAIM_EVERY = 4;

describe('worklist races', () => {
  let t: TestApp;
  let db: TestDb;
  let integrator: string;
  let racers: string[];
  let replica: INestApplication;
  let urls: string[];

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    replica = await createApp(t.config);
    await replica.listen(0, '127.0.0.1');
    urls = [t.url, `http://127.0.0.1:${(replica.getHttpServer().address() as AddressInfo).port}`];
    integrator = await t.token('ivan', ['integrator', 'modeler']);
    racers = await Promise.all(Array.from({ length: RACERS }, (_, i) => t.token(`racer${i}`, ['racers'])));
    expect((await http('POST', `${t.url}/api/deployments`, { token: integrator, body: modelForm([{ name: 'race.bpmn', xml: RACE }]) })).status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await replica.close();
    await t.close();
  });

  const statuses = (results: { status: number }[]) => {
    const counts: Record<number, number> = {};
    for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  };

  async function openTask(instanceId: string, elementId: string): Promise<string> {
    const { body } = await http('GET', `${t.url}/api/tasks?processInstanceId=${instanceId}`, { token: racers[0] });
    const tasks = body.items.filter((task: { elementId: string }) => task.elementId === elementId);
    expect(tasks).toHaveLength(1);
    return tasks[0].id;
  }

  it(`lets exactly one of ${RACERS} concurrent completions win, ${ROUNDS} times, and exactly one of ${RACERS} claims, ${ROUNDS / CLAIM_EVERY} times`, async () => {
    const tally = { complete: { 200: 0, 409: 0, other: 0 }, claim: { 200: 0, 409: 0, other: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      const started = await http('POST', `${t.url}/api/process-definitions/race/start`, { token: integrator, json: { businessKey: `race-${round}` } });
      expect(started.status).toBe(201);
      const instanceId = started.body.id as string;
      const work = await openTask(instanceId, 'work');

      const sameUser = round % 2 === 1;
      const completions = await Promise.all(
        racers.map((_, i) => http('POST', `${urls[i % 2]}/api/tasks/${work}/complete`, { token: racers[sameUser ? 0 : i], json: { variables: { [`by${i}`]: true } } })),
      );
      const completeCounts = statuses(completions);
      expect(completeCounts).toEqual({ 200: 1, 409: RACERS - 1 });
      tally.complete[200] += completeCounts[200] ?? 0;
      tally.complete[409] += completeCounts[409] ?? 0;
      const winner = completions.find((r) => r.status === 200)!.body;
      expect(winner).toMatchObject({ id: work, state: 'completed' });

      // The process moved on exactly once: one task after, one completion and one claim on record.
      const after = await openTask(instanceId, 'after');
      expect(await db.historyCount(instanceId, 'task.completed', 'work')).toBe(1);
      expect(await db.historyCount(instanceId, 'task.claimed', 'work')).toBe(1);
      expect(await db.historyCount(instanceId, 'task.created', 'after')).toBe(1);

      if (round % CLAIM_EVERY !== 0) continue;
      const claims = await Promise.all(racers.map((token, i) => http('POST', `${urls[i % 2]}/api/tasks/${after}/claim`, { token })));
      expect(statuses(claims)).toEqual({ 200: 1, 409: RACERS - 1 });
      const holder = claims.find((r) => r.status === 200)!.body.assignee;
      const [row] = await db.rows<{ assignee: string; state: string }>('SELECT assignee, state FROM user_task WHERE id = $1', [after]);
      expect(row).toEqual({ assignee: holder, state: 'open' });
      expect(await db.historyCount(instanceId, 'task.claimed', 'after')).toBe(1);

      tally.claim[200] += 1;
      tally.claim[409] += RACERS - 1;
    }
    expect(tally).toEqual({
      complete: { 200: ROUNDS, 409: ROUNDS * (RACERS - 1), other: 0 },
      claim: { 200: ROUNDS / CLAIM_EVERY, 409: (ROUNDS / CLAIM_EVERY) * (RACERS - 1), other: 0 },
    });
    // Completed tasks never reappear: no 'work' task is open, and none was completed twice.
    const [open] = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM user_task WHERE element_id = 'work' AND state = 'open'`);
    expect(open!.n).toBe(0);
    const [twice] = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT process_instance_id FROM history_event WHERE type = 'task.completed' GROUP BY process_instance_id, element_id HAVING count(*) > 1) x`,
    );
    expect(twice!.n).toBe(0);
  }, 240_000);

  it('a completion whose holder lost the task after the worklist checked it is refused (409) and changes nothing', async () => {
    const started = await http('POST', `${t.url}/api/process-definitions/race/start`, { token: integrator, json: { businessKey: 'reassigned' } });
    const instanceId = started.body.id as string;
    const taskId = await openTask(instanceId, 'work');
    expect((await http('POST', `${t.url}/api/tasks/${taskId}/claim`, { token: racers[0] })).status).toBe(200);
    // racer0 passed the worklist's holder check; an admin hands the task to racer1 before the step runs.
    const admin = await t.token('ada', ['admin']);
    expect((await http('POST', `${t.url}/api/tasks/${taskId}/assign`, { token: admin, json: { assignee: 'racer1' } })).status).toBe(200);
    const executor = t.app.get(CommandExecutor);
    await expect(executor.execute(instanceId, { type: 'completeUserTask', taskId, actor: 'racer0' }, 'racer0')).rejects.toMatchObject({ code: 'conflict' });
    const task = (await http('GET', `${t.url}/api/tasks/${taskId}`, { token: admin })).body;
    expect(task).toMatchObject({ state: 'open', assignee: 'racer1' });
    expect((await db.openTasks(instanceId)).map((open) => open.elementId)).toEqual(['work']);
    // Nobody holds it any more (an admin's unclaim, or an escalation handing it to a group): still refused.
    expect((await http('POST', `${t.url}/api/tasks/${taskId}/unclaim`, { token: admin })).status).toBe(200);
    await expect(executor.execute(instanceId, { type: 'completeUserTask', taskId, actor: 'racer1' }, 'racer1')).rejects.toMatchObject({ code: 'conflict' });
    expect((await db.openTasks(instanceId)).map((open) => open.elementId)).toEqual(['work']);
    // Through the worklist, a candidate claims and completes in one step.
    expect((await http('POST', `${t.url}/api/tasks/${taskId}/complete`, { token: racers[1], json: {} })).status).toBe(200);
    expect((await db.openTasks(instanceId)).map((open) => open.elementId)).toEqual(['after']);
  });
});
