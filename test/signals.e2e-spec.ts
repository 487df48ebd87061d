import { jest } from '@jest/globals';
import { chain, flow, zeebe } from '../src/engine/testing/bpmn.js';
import { SignalsService } from '../src/events/signals.service.js';
import { EventStatements } from '../src/persistence/event-statements.js';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { ModelCache } from '../src/runtime/model-cache.js';
import { DeploymentRepository } from '../src/persistence/deployment.repository.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// POST /api/signals and signal throw events over real HTTP and PostgreSQL: every catching element,
// start events of the latest version, variables through output mappings, a 1,000-instance
// broadcast with an exact count, and a crash in the middle of a broadcast.

const signal = (id: string, name: string) => `<bpmn:signal id="${id}" name="${name}"/>`;
const output = (source: string, target: string) =>
  `<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="${source}" target="${target}"/></zeebe:ioMapping></bpmn:extensionElements>`;

const CATCH = zeebe(
  `<bpmn:startEvent id="s"/>
   <bpmn:intermediateCatchEvent id="wait">${output('=level', 'alarmLevel')}<bpmn:signalEventDefinition signalRef="Alarm"/></bpmn:intermediateCatchEvent>
   <bpmn:endEvent id="e"/>${chain(['s', 'wait', 'e'])}`,
  'sig_catch',
  signal('Alarm', '=&quot;alarm-&quot; + kind'),
);

const BOUNDARY = zeebe(
  `<bpmn:startEvent id="s"/><bpmn:userTask id="work"/><bpmn:endEvent id="done"/>${chain(['s', 'work', 'done'])}
   <bpmn:boundaryEvent id="stop" attachedToRef="work"><bpmn:signalEventDefinition signalRef="Stop"/></bpmn:boundaryEvent>
   <bpmn:endEvent id="stopped"/>${flow('f_stop', 'stop', 'stopped')}
   <bpmn:boundaryEvent id="ping" attachedToRef="work" cancelActivity="false"><bpmn:signalEventDefinition signalRef="Ping"/></bpmn:boundaryEvent>
   <bpmn:userTask id="pinged"/><bpmn:endEvent id="pingedEnd"/>${flow('f_ping', 'ping', 'pinged')}${flow('f_pinged', 'pinged', 'pingedEnd')}`,
  'sig_boundary',
  signal('Stop', 'stop-work') + signal('Ping', '=&quot;ping-&quot; + region'),
);

const startModel = (taskName: string) =>
  zeebe(
    `<bpmn:startEvent id="kick"><bpmn:signalEventDefinition signalRef="Kick"/></bpmn:startEvent>
     <bpmn:userTask id="handle" name="${taskName}"/><bpmn:endEvent id="e"/>${chain(['kick', 'handle', 'e'])}`,
    'sig_start',
    // A FEEL name on a start event is evaluated (without variables) when the version is deployed.
    signal('Kick', '=&quot;kick&quot; + &quot;off&quot;'),
  );

const EVENT_SUBPROCESS = zeebe(
  `<bpmn:startEvent id="s"/><bpmn:userTask id="main"/><bpmn:endEvent id="e"/>${chain(['s', 'main', 'e'])}
   <bpmn:subProcess id="auditing" triggeredByEvent="true">
     <bpmn:startEvent id="auditStart" isInterrupting="false"><bpmn:signalEventDefinition signalRef="Audit"/></bpmn:startEvent>
     <bpmn:userTask id="auditTask"/><bpmn:endEvent id="auditEnd"/>${chain(['auditStart', 'auditTask', 'auditEnd'])}
   </bpmn:subProcess>
   <bpmn:subProcess id="aborting" triggeredByEvent="true">
     <bpmn:startEvent id="abortStart"><bpmn:signalEventDefinition signalRef="Abort"/></bpmn:startEvent>
     <bpmn:endEvent id="abortEnd"/>${chain(['abortStart', 'abortEnd'])}
   </bpmn:subProcess>`,
  'sig_esp',
  signal('Audit', 'audit') + signal('Abort', 'abort'),
);

const THROWER = zeebe(
  `<bpmn:startEvent id="s"/>
   <bpmn:intermediateThrowEvent id="raise">
     <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=7" target="level"/></zeebe:ioMapping></bpmn:extensionElements>
     <bpmn:signalEventDefinition signalRef="Raised"/>
   </bpmn:intermediateThrowEvent>
   <bpmn:endEvent id="e"/>${chain(['s', 'raise', 'e'])}`,
  'sig_thrower',
  signal('Raised', '=signalName'),
);

const FANOUT = zeebe(
  `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="Fan"/></bpmn:intermediateCatchEvent>
   <bpmn:endEvent id="e"/>${chain(['s', 'wait', 'e'])}`,
  'sig_fanout',
  signal('Fan', 'fanout'),
);

const NON_INTERRUPTING = zeebe(
  `<bpmn:startEvent id="s"/><bpmn:userTask id="work"/><bpmn:endEvent id="e"/>${chain(['s', 'work', 'e'])}
   <bpmn:boundaryEvent id="nudge" attachedToRef="work" cancelActivity="false"><bpmn:signalEventDefinition signalRef="Nudge"/></bpmn:boundaryEvent>
   <bpmn:userTask id="reacted"/>${flow('f_nudge', 'nudge', 'reacted')}`,
  'sig_nudge',
  signal('Nudge', 'nudge'),
);

describe('signals over HTTP', () => {
  let t: TestApp;
  let db: TestDb;
  let executor: CommandExecutor;
  let signals: SignalsService;
  let integrator: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    executor = t.app.get(CommandExecutor);
    signals = t.app.get(SignalsService);
    integrator = await t.token('ivan', ['integrator']);
    const admin = await t.token('ada', ['admin']);
    for (const [name, xml] of Object.entries({ CATCH, BOUNDARY, START: startModel('v1'), EVENT_SUBPROCESS, THROWER, FANOUT, NON_INTERRUPTING })) {
      const deployed = await http('POST', `${t.url}/api/deployments`, { token: admin, body: xml, headers: { 'content-type': 'application/xml' } });
      expect([name, deployed.status]).toEqual([name, 201]);
    }
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const api = (method: string, path: string, json?: unknown, token = integrator) => http(method, `${t.url}/api${path}`, { token, json });
  const start = async (key: string, variables: Record<string, unknown> = {}) => {
    const started = await api('POST', `/process-definitions/${key}/start`, { variables });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const instance = async (id: string) => (await api('GET', `/process-instances/${id}`)).body;
  const active = async (id: string) => ((await instance(id)).activeElements as { elementId: string }[]).map((e) => e.elementId).sort();
  const send = (name: string, variables?: Record<string, unknown>) => api('POST', '/signals', { name, ...(variables ? { variables } : {}) });
  const broadcastOf = async (name: string) =>
    (
      await db.rows(
        `SELECT b.state, b.source, (SELECT sum(delivered)::int FROM signal_broadcast_part p WHERE p.broadcast_id = b.id) AS delivered
         FROM signal_broadcast b WHERE b.name = $1 ORDER BY b.created_at LIMIT 1`,
        [name],
      )
    )[0];

  it('fires an intermediate catch event; the variables go through its output mapping', async () => {
    const id = await start('sig_catch', { kind: 'direct' });
    const other = await start('sig_catch', { kind: 'other' });
    const sent = await send('alarm-direct', { level: 3, ignored: true });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ delivered: 1 });
    const done = await instance(id);
    expect(done.state).toBe('completed');
    expect(done.variables).toEqual({ kind: 'direct', alarmLevel: 3 });
    expect(await active(other)).toEqual(['wait']);
    const history = (await api('GET', `/process-instances/${id}/history`)).body.items as { type: string; elementId?: string }[];
    expect(history.filter((e) => e.type === 'signal.received')).toMatchObject([{ elementId: 'wait' }]);
    // Nothing waits any more: a broadcast to nobody is fine.
    expect((await send('alarm-direct')).body).toEqual({ delivered: 0 });
  });

  it('fires boundary events: non-interrupting (FEEL name) keeps the task, interrupting ends it', async () => {
    const id = await start('sig_boundary', { region: 'eu' });
    expect((await send('ping-eu')).body).toEqual({ delivered: 1 });
    expect(await active(id)).toEqual(['pinged', 'work']);
    // Still subscribed: a second ping fires again.
    expect((await send('ping-eu')).body).toEqual({ delivered: 1 });
    expect((await db.openTasks(id)).map((task) => task.elementId).sort()).toEqual(['pinged', 'pinged', 'work']);
    expect((await send('stop-work')).body).toEqual({ delivered: 1 });
    expect(await active(id)).toEqual(['pinged', 'pinged']);
    expect((await send('ping-eu')).body).toEqual({ delivered: 0 });
    const history = (await api('GET', `/process-instances/${id}/history`)).body.items as { type: string; elementId?: string }[];
    expect(history.filter((e) => e.type === 'element.left' && e.elementId === 'stopped')).toHaveLength(1);
  });

  it('starts event subprocesses: non-interrupting every time, interrupting once', async () => {
    const id = await start('sig_esp');
    expect((await send('audit')).body).toEqual({ delivered: 1 });
    expect((await send('audit')).body).toEqual({ delivered: 1 });
    expect((await db.openTasks(id)).map((task) => task.elementId).sort()).toEqual(['auditTask', 'auditTask', 'main']);
    expect((await send('abort')).body).toEqual({ delivered: 1 });
    expect((await instance(id)).state).toBe('completed');
    expect(await db.openTasks(id)).toEqual([]);
    expect((await send('audit')).body).toEqual({ delivered: 0 });
  });

  it('a signal start event starts an instance of the latest version, with the variables', async () => {
    const admin = await t.token('ada', ['admin']);
    const sent = await send('kickoff', { reason: 'first' });
    expect(sent.body).toEqual({ delivered: 1 });
    const v2 = await http('POST', `${t.url}/api/deployments`, { token: admin, body: startModel('v2'), headers: { 'content-type': 'application/xml' } });
    expect(v2.body.definitions[0]).toMatchObject({ key: 'sig_start', version: 2, isNew: true });
    expect((await send('kickoff', { reason: 'second' })).body).toEqual({ delivered: 1 });
    const started = (await api('GET', '/process-instances?definitionKey=sig_start')).body.items as { definitionVersion: number; variables: { reason: string } }[];
    expect(started.map((i) => [i.definitionVersion, i.variables.reason]).sort()).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });

  it('a signal throw event broadcasts after its commit through the outbox (FEEL name, input mapping variables)', async () => {
    const catcher = await start('sig_catch', { kind: 'thrown' });
    const thrower = await start('sig_thrower', { signalName: 'alarm-thrown' });
    expect((await instance(thrower)).state).toBe('completed');
    const deadline = Date.now() + 10_000;
    while ((await instance(catcher)).state !== 'completed' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await instance(catcher)).toMatchObject({ state: 'completed', variables: { kind: 'thrown', alarmLevel: 7 } });
    const deadline2 = Date.now() + 5_000;
    while ((await broadcastOf('alarm-thrown'))?.state !== 'done' && Date.now() < deadline2) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await broadcastOf('alarm-thrown')).toMatchObject({ state: 'done', delivered: 1, source: expect.stringMatching(/^outbox:/) });
  });

  it('broadcasts to 1,000 waiting instances with an exact count', async () => {
    const entity = (await t.app.get(DeploymentRepository).latestDefinition('sig_fanout'))!;
    const definition = t.app.get(ModelCache).remember({ id: entity.id, key: entity.key, version: entity.version, deploymentId: entity.deploymentId, model: entity.model });
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => executor.start({ definition, actor: null })));
    }
    const sent = await send('fanout', { wave: 1 });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ delivered: 1000 });
    const [counts] = await db.rows<{ completed: number; active: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE status <> 'completed')::int AS active
       FROM process_instance WHERE definition_key = 'sig_fanout'`,
    );
    expect(counts).toEqual({ completed: 1000, active: 0 });
    const [received] = await db.rows<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT h.process_instance_id)::int AS distinct FROM history_event h
       JOIN process_instance p ON p.id = h.process_instance_id WHERE p.definition_key = 'sig_fanout' AND h.type = 'signal.received'`,
    );
    expect(received).toEqual({ n: 1000, distinct: 1000 });
    expect((await send('fanout')).body).toEqual({ delivered: 0 });
  });

  it('a crash midway leaves fired chunks fired and the rest pending; the broadcast is resumed, each subscription fired once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await start('sig_nudge'));
    signals.chunkSize = 10;
    signals.parallelism = 1;
    const original = EventStatements.prototype.advancePart;
    let calls = 0;
    const spy = jest.spyOn(EventStatements.prototype, 'advancePart').mockImplementation(async function (this: EventStatements, ...args) {
      // The second chunk dies before its commit, after its deliveries ran.
      if (++calls === 2) throw new Error('simulated crash before commit');
      return original.apply(this, args);
    });
    try {
      expect((await send('nudge')).status).toBe(500);
    } finally {
      spy.mockRestore();
      signals.chunkSize = 500;
      signals.parallelism = 3;
    }
    const reactedPer = async () => {
      const rows = await db.rows<{ n: number }>(
        `SELECT count(t.id)::int AS n FROM process_instance p LEFT JOIN user_task t ON t.process_instance_id = p.id AND t.element_id = 'reacted'
         WHERE p.id = ANY($1::uuid[]) GROUP BY p.id`,
        [ids],
      );
      return rows.map((r) => r.n).sort();
    };
    // 10 fired (chunk 1 committed), 15 untouched (chunk 2 rolled back, chunk 3 never ran).
    expect(await reactedPer()).toEqual([...Array(15).fill(0), ...Array(10).fill(1)]);
    expect(await broadcastOf('nudge')).toMatchObject({ state: 'running', delivered: 10 });

    // Another driver takes over once the lease has run out.
    await db.rows(`UPDATE signal_broadcast_part SET lease_until = now() - interval '1 second' WHERE NOT done`);
    signals.kick();
    await signals.idle();
    expect(await reactedPer()).toEqual(Array(25).fill(1));
    expect(await broadcastOf('nudge')).toMatchObject({ state: 'done', delivered: 25 });
    // Non-interrupting: still subscribed, so the next broadcast reaches all 25 again.
    expect((await send('nudge')).body).toEqual({ delivered: 25 });
  });

  it('two broadcasts at once each reach every subscription once; a suspended instance misses a signal', async () => {
    for (let i = 0; i < 5; i++) await start('sig_nudge');
    const before = (await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM user_task WHERE element_id = 'reacted'`))[0]!.n;
    const [a, b] = await Promise.all([send('nudge'), send('nudge')]);
    expect([a.body, b.body]).toEqual([{ delivered: 30 }, { delivered: 30 }]);
    expect((await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM user_task WHERE element_id = 'reacted'`))[0]!.n).toBe(before + 60);

    const asleep = await start('sig_catch', { kind: 'sleepy' });
    const awake = await start('sig_catch', { kind: 'sleepy' });
    expect((await api('POST', `/process-instances/${asleep}/suspend`)).status).toBe(200);
    expect((await send('alarm-sleepy')).body).toEqual({ delivered: 1 });
    expect((await instance(awake)).state).toBe('completed');
    expect((await api('POST', `/process-instances/${asleep}/resume`)).body.state).toBe('active');
    expect(await active(asleep)).toEqual(['wait']);
  });

  it('validates input and checks access', async () => {
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 42 }, { name: 'a\nb' }, { name: 'x'.repeat(256) }, { name: 'ok', variables: [1] }, { name: 'ok', variables: 'x' }, { name: 'ok', extra: 1 }]) {
      const answer = await api('POST', '/signals', body);
      expect([JSON.stringify(body).slice(0, 40), answer.status]).toEqual([JSON.stringify(body).slice(0, 40), 400]);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    expect((await http('POST', `${t.url}/api/signals`, { json: { name: 'x' } })).status).toBe(401);
    expect((await api('POST', '/signals', { name: 'x' }, await t.token('sam', ['sales']))).status).toBe(403);
    expect((await api('POST', '/signals', { name: 'x' }, await t.token('ada', ['admin']))).body).toEqual({ delivered: 0 });
    const openapi = (await http('GET', `${t.url}/api/docs-json`)).body;
    expect(Object.keys(openapi.paths['/api/signals'].post.responses)).toEqual(expect.arrayContaining(['200', '403']));
    expect(Object.keys(openapi.paths['/api/messages'].post.responses)).toEqual(expect.arrayContaining(['200', '202', '404']));
  });
});
