import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, testConfig, type TestApp } from './support/test-app.js';
import { createApp } from '../src/app.factory.js';

// Real elapsed time on purpose: these prove the poller, leases and the engine's wait check together.

const timerProcess = (id: string, duration: string) =>
  definitions(`
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const REMINDERS = definitions(`
  <bpmn:process id="reminders" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" name="Slow work" />
    <bpmn:boundaryEvent id="remind" attachedToRef="task" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1S</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="remind" targetRef="nudge" />
    <bpmn:userTask id="nudge" name="Nudge" />
    <bpmn:sequenceFlow id="f3" sourceRef="nudge" targetRef="nudged" />
    <bpmn:endEvent id="nudged" />
    <bpmn:sequenceFlow id="f4" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const DEADLINE = definitions(`
  <bpmn:process id="deadline" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="never-answered" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition><bpmn:timeDuration>= duration("PT1S")</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="chase" />
    <bpmn:userTask id="chase" name="Chase the late work" />
    <bpmn:sequenceFlow id="f3" sourceRef="chase" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const RACE = definitions(`
  <bpmn:message id="Confirmed" name="confirmed"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="race" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <bpmn:eventBasedGateway id="gw" />
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="msg" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="timeout" />
    <bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition messageRef="Confirmed" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="msg" targetRef="ok" />
    <bpmn:sequenceFlow id="f5" sourceRef="timeout" targetRef="late" />
    <bpmn:endEvent id="ok" />
    <bpmn:endEvent id="late" />
  </bpmn:process>`);

describe('timers', () => {
  let t: TestApp;
  let db: TestDb;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    admin = await t.token('ada', ['admin']);
    const files = [
      { name: 'one.bpmn', xml: timerProcess('one_second', 'PT1S') },
      { name: 'two.bpmn', xml: timerProcess('two_seconds', 'PT2S') },
      { name: 'reminders.bpmn', xml: REMINDERS },
      { name: 'deadline.bpmn', xml: DEADLINE },
      { name: 'race.bpmn', xml: RACE },
    ];
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: modelForm(files) })).status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await http('POST', `${t.url}/api/process-definitions/${key}/start`, { token: admin, json: { variables } })).body as { id: string; state: string };
  const state = async (id: string) => (await http('GET', `${t.url}/api/process-instances/${id}`, { token: admin })).body;
  const until = async (check: () => Promise<boolean>, ms = 8000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('condition not reached in time');
  };

  it('fires an intermediate timer and moves the token on', async () => {
    const { id } = await start('one_second');
    expect((await state(id)).activeElements.map((e: { elementId: string }) => e.elementId)).toEqual(['wait']);
    await until(async () => (await state(id)).state === 'completed');
    expect(await db.historyCount(id, 'timer.fired', 'wait')).toBe(1);
  });

  it('fires a non-interrupting cycle R2/PT1S twice while the task stays open', async () => {
    const { id } = await start('reminders');
    await until(async () => (await db.historyCount(id, 'timer.fired', 'remind')) === 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await db.historyCount(id, 'timer.fired', 'remind')).toBe(2);
    const tasks = await db.openTasks(id);
    expect(tasks.map((task) => task.elementId).sort()).toEqual(['nudge', 'nudge', 'task']);
  });

  it('interrupts an unanswered service task with a boundary timer and withdraws its job', async () => {
    const { id } = await start('deadline');
    const [job] = await db.pendingJobs(id);
    await until(async () => (await db.openTasks(id)).some((task) => task.elementId === 'chase'));
    const [row] = await db.rows(`SELECT state FROM job WHERE key = $1`, [job!.key]);
    expect(row!.state).toBe('canceled');
    // The worker's late answer changes nothing.
    const outcome = await t.app.get(CommandExecutor).execute(id, { type: 'completeJob', jobKey: job!.key, variables: {} }).catch((error) => error.code);
    expect(outcome).toBe('stale');
  });

  it('lets the timer win an event-based gateway and closes the message subscription', async () => {
    const { id } = await start('race', { orderId: 'R-1' });
    await until(async () => (await state(id)).state === 'completed');
    expect(await db.historyCount(id, 'element.entered', 'late')).toBe(1);
    expect(await db.historyCount(id, 'element.entered', 'ok')).toBe(0);
    const open = await db.rows(`SELECT key FROM subscription WHERE process_instance_id = $1 AND state = 'open'`, [id]);
    expect(open).toEqual([]);
  });

  it('holds a due timer while the instance is suspended and fires it after resume', async () => {
    const { id } = await start('one_second');
    expect((await http('POST', `${t.url}/api/process-instances/${id}/suspend`, { token: admin })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect((await state(id)).state).toBe('suspended');
    expect(await db.historyCount(id, 'timer.fired', 'wait')).toBe(0);
    await http('POST', `${t.url}/api/process-instances/${id}/resume`, { token: admin });
    await until(async () => (await state(id)).state === 'completed', 10_000);
    expect(await db.historyCount(id, 'timer.fired', 'wait')).toBe(1);
  });

  it('fires each of 300 timers exactly once with two engine replicas polling one database', async () => {
    const { config } = testConfig({ DATABASE_URL: t.config.databaseUrl, BULLMQ_PREFIX: t.config.bullmqPrefix });
    const second = await createApp(config);
    await second.init();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 300; i++) ids.push((await start('two_seconds')).id);
      await until(async () => {
        const [row] = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM process_instance WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [ids]);
        return row!.n === 300;
      }, 20_000);
      const fired = await db.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM history_event WHERE type = 'timer.fired' AND process_instance_id = ANY($1::uuid[]) GROUP BY process_instance_id`,
        [ids],
      );
      expect(fired).toHaveLength(300);
      expect(fired.every((row) => row.n === 1)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
