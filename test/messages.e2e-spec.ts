import { chain, flow, zeebe } from '../src/engine/testing/bpmn.js';
import { EventRepository } from '../src/persistence/event.repository.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// POST /api/messages over real HTTP and PostgreSQL: every catching element, correlation by
// correlation key / business key / instance id, which subscription wins, message start events,
// TTL buffering (early message delivered later, expired message not), messageId deduplication,
// and the race of a message against the subscription that is being opened.

const message = (id: string, name: string, correlationKey?: string) =>
  `<bpmn:message id="${id}" name="${name}">${correlationKey ? `<bpmn:extensionElements><zeebe:subscription correlationKey="${correlationKey}"/></bpmn:extensionElements>` : ''}</bpmn:message>`;
const output = (source: string, target: string) =>
  `<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="${source}" target="${target}"/></zeebe:ioMapping></bpmn:extensionElements>`;

const MODELS = {
  msg_catch: zeebe(
    `<bpmn:startEvent id="s"/>
     <bpmn:intermediateCatchEvent id="wait">${output('=amount', 'paidAmount')}<bpmn:messageEventDefinition messageRef="Paid"/></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="e"/>${chain(['s', 'wait', 'e'])}`,
    'msg_catch',
    message('Paid', 'paid', '=orderId'),
  ),
  msg_receive: zeebe(
    `<bpmn:startEvent id="s"/><bpmn:receiveTask id="approval" messageRef="Approved"/><bpmn:endEvent id="e"/>${chain(['s', 'approval', 'e'])}`,
    'msg_receive',
    message('Approved', 'approved', '=orderId'),
  ),
  msg_boundary: zeebe(
    `<bpmn:startEvent id="s"/><bpmn:userTask id="work"/><bpmn:endEvent id="done"/>${chain(['s', 'work', 'done'])}
     <bpmn:boundaryEvent id="cancelled" attachedToRef="work"><bpmn:messageEventDefinition messageRef="Cancel"/></bpmn:boundaryEvent>
     <bpmn:endEvent id="cancelEnd"/>${flow('f_cancel', 'cancelled', 'cancelEnd')}
     <bpmn:boundaryEvent id="noted" attachedToRef="work" cancelActivity="false"><bpmn:messageEventDefinition messageRef="Note"/></bpmn:boundaryEvent>
     <bpmn:userTask id="readNote"/>${flow('f_note', 'noted', 'readNote')}`,
    'msg_boundary',
    message('Cancel', 'cancel-order', '=orderId') + message('Note', 'note-added', '=orderId'),
  ),
  msg_start: zeebe(
    `<bpmn:startEvent id="placed"><bpmn:messageEventDefinition messageRef="Placed"/></bpmn:startEvent>
     <bpmn:userTask id="handle"/><bpmn:endEvent id="e"/>${chain(['placed', 'handle', 'e'])}`,
    'msg_start',
    message('Placed', 'order-placed'),
  ),
  msg_esp: zeebe(
    `<bpmn:startEvent id="s"/><bpmn:userTask id="main"/><bpmn:endEvent id="e"/>${chain(['s', 'main', 'e'])}
     <bpmn:subProcess id="escalation" triggeredByEvent="true">
       <bpmn:startEvent id="escalateStart"><bpmn:messageEventDefinition messageRef="Escalate"/></bpmn:startEvent>
       <bpmn:userTask id="escalated"/><bpmn:endEvent id="escEnd"/>${chain(['escalateStart', 'escalated', 'escEnd'])}
     </bpmn:subProcess>`,
    'msg_esp',
    message('Escalate', 'escalate', '=orderId'),
  ),
  msg_gateway: zeebe(
    `<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="gw"/>
     <bpmn:intermediateCatchEvent id="accepted"><bpmn:messageEventDefinition messageRef="Acc"/></bpmn:intermediateCatchEvent>
     <bpmn:intermediateCatchEvent id="rejected"><bpmn:messageEventDefinition messageRef="Rej"/></bpmn:intermediateCatchEvent>
     <bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="accEnd"/><bpmn:endEvent id="rejEnd"/><bpmn:endEvent id="lateEnd"/>
     ${flow('f0', 's', 'gw')}${flow('f1', 'gw', 'accepted')}${flow('f2', 'gw', 'rejected')}${flow('f3', 'gw', 'late')}
     ${flow('f4', 'accepted', 'accEnd')}${flow('f5', 'rejected', 'rejEnd')}${flow('f6', 'late', 'lateEnd')}`,
    'msg_gateway',
    message('Acc', 'offer-accepted', '=orderId') + message('Rej', 'offer-rejected', '=orderId'),
  ),
  msg_plain: zeebe(
    `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="poked"><bpmn:messageEventDefinition messageRef="Poke"/></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="e"/>${chain(['s', 'poked', 'e'])}`,
    'msg_plain',
    message('Poke', 'poke'),
  ),
  msg_race: zeebe(
    `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="Race"/></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="e"/>${chain(['s', 'wait', 'e'])}`,
    'msg_race',
    message('Race', 'race', '=orderId'),
  ),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('messages over HTTP', () => {
  let t: TestApp;
  let db: TestDb;
  let integrator: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    integrator = await t.token('ivan', ['integrator']);
    const admin = await t.token('ada', ['admin']);
    for (const [key, xml] of Object.entries(MODELS)) {
      const deployed = await http('POST', `${t.url}/api/deployments`, { token: admin, body: xml, headers: { 'content-type': 'application/xml' } });
      expect([key, deployed.status]).toEqual([key, 201]);
    }
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const api = (method: string, path: string, json?: unknown, token = integrator) => http(method, `${t.url}/api${path}`, { token, json });
  const start = async (key: string, variables: Record<string, unknown> = {}, businessKey?: string) => {
    const started = await api('POST', `/process-definitions/${key}/start`, { variables, ...(businessKey ? { businessKey } : {}) });
    expect(started.status).toBe(201);
    return started.body as { id: string; state: string; variables: Record<string, unknown> };
  };
  const instance = async (id: string) => (await api('GET', `/process-instances/${id}`)).body;
  const active = async (id: string) => ((await instance(id)).activeElements as { elementId: string }[]).map((e) => e.elementId).sort();
  const send = (body: Record<string, unknown>) => api('POST', '/messages', body);
  const correlatedCount = async (id: string) =>
    (await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM history_event WHERE process_instance_id = $1 AND type = 'message.correlated'`, [id]))[0]!.n;

  it('correlates an intermediate catch event by correlation key; the output mapping applies', async () => {
    const { id } = await start('msg_catch', { orderId: 'A-1' });
    const other = await start('msg_catch', { orderId: 'A-2' });
    const sent = await send({ name: 'paid', correlationKey: 'A-1', variables: { amount: 42, noise: 1 } });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ processInstanceId: id, elementId: 'wait' });
    expect(await instance(id)).toMatchObject({ state: 'completed', variables: { orderId: 'A-1', paidAmount: 42 } });
    expect((await instance(id)).variables).not.toHaveProperty('noise');
    expect(await active(other.id)).toEqual(['wait']);
    // Nothing waits for A-1 any more, and no ttl: 404.
    const again = await send({ name: 'paid', correlationKey: 'A-1' });
    expect(again.status).toBe(404);
    expect(again.body.message).toMatch(/No subscription waits for message 'paid' with correlationKey 'A-1'/);
  });

  it('correlates a receive task; a numeric correlation key is taken as text', async () => {
    const { id } = await start('msg_receive', { orderId: 1001 });
    const sent = await send({ name: 'approved', correlationKey: 1001, variables: { approvedBy: 'max' } });
    expect(sent.body).toEqual({ processInstanceId: id, elementId: 'approval' });
    expect(await instance(id)).toMatchObject({ state: 'completed', variables: { approvedBy: 'max' } });
  });

  it('correlates boundary events: non-interrupting keeps the task, interrupting ends it', async () => {
    const { id } = await start('msg_boundary', { orderId: 'B-1' });
    expect((await send({ name: 'note-added', correlationKey: 'B-1', variables: { note: 'hi' } })).body).toEqual({ processInstanceId: id, elementId: 'noted' });
    expect((await send({ name: 'note-added', correlationKey: 'B-1' })).body).toEqual({ processInstanceId: id, elementId: 'noted' });
    expect(await active(id)).toEqual(['readNote', 'readNote', 'work']);
    expect((await send({ name: 'cancel-order', correlationKey: 'B-1' })).body).toEqual({ processInstanceId: id, elementId: 'cancelled' });
    expect(await active(id)).toEqual(['readNote', 'readNote']);
    expect((await send({ name: 'note-added', correlationKey: 'B-1' })).status).toBe(404);
  });

  it('a message start event starts an instance of the latest version (business key, variables); a messageId starts it once', async () => {
    const sent = await send({ name: 'order-placed', businessKey: 'ORD-9', variables: { total: 12 }, messageId: 'placed-ORD-9' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ processInstanceId: expect.any(String), elementId: 'placed' });
    expect(await instance(sent.body.processInstanceId)).toMatchObject({ definitionKey: 'msg_start', businessKey: 'ORD-9', state: 'active', variables: { total: 12 } });
    expect((await send({ name: 'order-placed', businessKey: 'ORD-9', messageId: 'placed-ORD-9' })).body).toEqual({ duplicate: true });
    expect((await api('GET', '/process-instances?definitionKey=msg_start')).body.total).toBe(1);
  });

  it('starts an event subprocess (interrupting)', async () => {
    const { id } = await start('msg_esp', { orderId: 'E-1' });
    expect((await send({ name: 'escalate', correlationKey: 'E-1' })).body).toEqual({ processInstanceId: id, elementId: 'escalateStart' });
    expect(await active(id)).toEqual(['escalated', 'escalation']);
  });

  it('event-based gateway: the first message wins, the other subscriptions close', async () => {
    const { id } = await start('msg_gateway', { orderId: 'G-1' });
    expect((await send({ name: 'offer-rejected', correlationKey: 'G-1' })).body).toEqual({ processInstanceId: id, elementId: 'rejected' });
    expect((await instance(id)).state).toBe('completed');
    expect((await send({ name: 'offer-accepted', correlationKey: 'G-1' })).status).toBe(404);
    expect(await db.rows(`SELECT key FROM subscription WHERE process_instance_id = $1 AND state = 'open'`, [id])).toEqual([]);
    expect((await db.rows(`SELECT state FROM timer WHERE process_instance_id = $1`, [id]))[0]).toEqual({ state: 'canceled' });
  });

  it('event-based gateway with both messages buffered: the older one wins, the other stays buffered', async () => {
    expect((await send({ name: 'offer-accepted', correlationKey: 'G-2', ttl: 'PT1M' })).status).toBe(202);
    expect((await send({ name: 'offer-rejected', correlationKey: 'G-2', ttl: 'PT1M' })).status).toBe(202);
    const { id, state } = await start('msg_gateway', { orderId: 'G-2' });
    expect(state).toBe('completed');
    const history = (await api('GET', `/process-instances/${id}/history`)).body.items as { type: string; elementId?: string }[];
    expect(history.filter((e) => e.type === 'message.correlated').map((e) => e.elementId)).toEqual(['accepted']);
    expect(await db.rows(`SELECT name, state FROM message WHERE correlation_key = 'G-2' ORDER BY created_at`)).toEqual([
      { name: 'offer-accepted', state: 'correlated' },
      { name: 'offer-rejected', state: 'buffered' },
    ]);
  });

  it('correlates by business key, by instance id, and by name alone; the oldest subscription wins', async () => {
    const first = await start('msg_plain', {}, 'bk-1');
    const second = await start('msg_plain', {}, 'bk-2');
    const third = await start('msg_plain', {}, 'bk-2');
    const fourth = await start('msg_plain');
    expect((await send({ name: 'poke', businessKey: 'bk-2' })).body).toEqual({ processInstanceId: second.id, elementId: 'poked' });
    expect((await send({ name: 'poke', businessKey: 'bk-2' })).body).toEqual({ processInstanceId: third.id, elementId: 'poked' });
    expect((await send({ name: 'poke', businessKey: 'bk-2' })).status).toBe(404);
    expect((await send({ name: 'poke', processInstanceId: fourth.id })).body).toEqual({ processInstanceId: fourth.id, elementId: 'poked' });
    expect((await send({ name: 'poke' })).body).toEqual({ processInstanceId: first.id, elementId: 'poked' });
    // A business key also reaches subscriptions that have a correlation key; all criteria must hold.
    const keyed = await start('msg_catch', { orderId: 'K-1' }, 'bk-keyed');
    expect((await send({ name: 'paid', businessKey: 'bk-keyed', correlationKey: 'K-2' })).status).toBe(404);
    expect((await send({ name: 'paid', businessKey: 'bk-keyed' })).body).toEqual({ processInstanceId: keyed.id, elementId: 'wait' });
    // …but a message with no criteria only reaches subscriptions without a correlation key.
    await start('msg_catch', { orderId: 'K-3' });
    expect((await send({ name: 'paid' })).status).toBe(404);
    expect((await send({ name: 'poke', processInstanceId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  });

  it('buffers an early message (ttl) and delivers it once, to the first matching subscription that opens', async () => {
    const sent = await send({ name: 'paid', correlationKey: 'T-1', ttl: 'PT1M', variables: { amount: 9 } });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ buffered: true, expiresAt: expect.any(String) });
    expect(new Date(sent.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(50_000);
    const first = await start('msg_catch', { orderId: 'T-1' });
    expect(first.state).toBe('completed');
    expect(first.variables).toMatchObject({ paidAmount: 9 });
    const second = await start('msg_catch', { orderId: 'T-1' });
    expect(second.state).toBe('active');
    expect(await correlatedCount(first.id)).toBe(1);
    expect(await db.rows(`SELECT state, correlated_instance_id AS "instanceId", correlated_element_id AS "elementId" FROM message WHERE correlation_key = 'T-1'`)).toEqual([
      { state: 'correlated', instanceId: first.id, elementId: 'wait' },
    ]);
    // By business key too.
    expect((await send({ name: 'poke', businessKey: 'bk-late', ttl: 'PT1M' })).status).toBe(202);
    expect((await start('msg_plain', {}, 'bk-late')).state).toBe('completed');
  });

  it('does not deliver an expired message', async () => {
    expect((await send({ name: 'paid', correlationKey: 'X-1', ttl: 'PT1S', variables: { amount: 1 } })).status).toBe(202);
    await sleep(1100);
    const late = await start('msg_catch', { orderId: 'X-1' });
    expect(late.state).toBe('active');
    expect(await active(late.id)).toEqual(['wait']);
    expect((await db.rows(`SELECT state FROM message WHERE correlation_key = 'X-1'`))[0]).toEqual({ state: 'buffered' });
    expect((await send({ name: 'paid', correlationKey: 'X-1', variables: { amount: 2 } })).body).toEqual({ processInstanceId: late.id, elementId: 'wait' });
    expect((await instance(late.id)).variables.paidAmount).toBe(2);
  });

  it('skips suspended instances; a message buffered meanwhile reaches the subscription when the instance resumes', async () => {
    const { id } = await start('msg_catch', { orderId: 'S-1' });
    expect((await api('POST', `/process-instances/${id}/suspend`)).body.state).toBe('suspended');
    expect((await send({ name: 'paid', correlationKey: 'S-1' })).status).toBe(404);
    expect((await send({ name: 'paid', correlationKey: 'S-1', ttl: 'PT1M', variables: { amount: 4 } })).status).toBe(202);
    const resumed = await api('POST', `/process-instances/${id}/resume`);
    expect(resumed.body).toMatchObject({ state: 'completed', variables: { paidAmount: 4 } });
  });

  it('accepts a messageId once, also when the twins race', async () => {
    const body = { name: 'paid', correlationKey: 'D-1', ttl: 'PT1M', messageId: 'pay-D-1', variables: { amount: 5 } };
    expect((await send(body)).status).toBe(202);
    const duplicate = await send(body);
    expect(duplicate.status).toBe(200);
    expect(duplicate.body).toEqual({ duplicate: true });
    const { id, state } = await start('msg_catch', { orderId: 'D-1' });
    expect(state).toBe('completed');
    expect((await send(body)).body).toEqual({ duplicate: true });
    expect(await correlatedCount(id)).toBe(1);
    // Per message name: the same id on another name is another message.
    expect((await send({ name: 'approved', correlationKey: 'D-1', ttl: 'PT1M', messageId: 'pay-D-1' })).status).toBe(202);

    const waiting = await start('msg_catch', { orderId: 'D-2' });
    const twins = await Promise.all(Array.from({ length: 10 }, () => send({ name: 'paid', correlationKey: 'D-2', messageId: 'pay-D-2' })));
    expect(twins.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(twins.filter((r) => r.body.duplicate === true)).toHaveLength(9);
    expect(twins.filter((r) => r.body.processInstanceId === waiting.id)).toHaveLength(1);
    expect(await correlatedCount(waiting.id)).toBe(1);
    // A message that was not accepted (404) leaves its id unused.
    expect((await send({ name: 'paid', correlationKey: 'D-3', messageId: 'pay-D-3' })).status).toBe(404);
    expect((await send({ name: 'paid', correlationKey: 'D-3', messageId: 'pay-D-3', ttl: 'PT1M' })).status).toBe(202);
  });

  it('never loses or doubles a message that races the opening of its subscription (50 iterations)', async () => {
    const outcomes: number[] = [];
    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const orderId = `R-${batch}-${i}`;
          const [started, sent] = await Promise.all([start('msg_race', { orderId }), send({ name: 'race', correlationKey: orderId, ttl: 'PT1M', variables: { n: i } })]);
          outcomes.push(sent.status);
          ids.push(started.id);
        }),
      );
    }
    expect(outcomes.every((status) => status === 200 || status === 202)).toBe(true);
    const rows = await db.rows<{ status: string; n: number }>(
      `SELECT p.status, (SELECT count(*)::int FROM history_event h WHERE h.process_instance_id = p.id AND h.type = 'message.correlated') AS n
       FROM process_instance p WHERE p.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.status === 'completed' && r.n === 1)).toBe(true);
    expect(await db.rows(`SELECT id FROM message WHERE name = 'race' AND state = 'buffered'`)).toEqual([]);
  });

  it('housekeeping expires buffered messages and forgets rows past their window, keeping messageIds', async () => {
    expect((await send({ name: 'paid', correlationKey: 'H-1', ttl: 'PT1S' })).status).toBe(202);
    expect((await send({ name: 'paid', correlationKey: 'H-2', ttl: 'PT1S', messageId: 'h-2' })).status).toBe(202);
    await sleep(1100);
    await t.app.get(EventRepository).sweepMessages(new Date());
    expect(await db.rows(`SELECT correlation_key AS key, state FROM message WHERE correlation_key IN ('H-1', 'H-2')`)).toEqual([{ key: 'H-2', state: 'expired' }]);
    expect((await send({ name: 'paid', correlationKey: 'H-2', ttl: 'PT1M', messageId: 'h-2' })).body).toEqual({ duplicate: true });
  });

  it('validates input and checks access', async () => {
    const bad = [
      {},
      { name: '' },
      { name: 'paid', ttl: 'P1X' },
      { name: 'paid', ttl: 'P2Y' },
      { name: 'paid', ttl: 5 },
      { name: 'paid', processInstanceId: 'nope' },
      { name: 'paid', variables: [1] },
      { name: 'paid', correlationKey: { a: 1 } },
      { name: 'paid', messageId: '' },
      { name: 'paid', unknown: true },
    ];
    for (const body of bad) {
      const answer = await send(body);
      expect([JSON.stringify(body), answer.status]).toEqual([JSON.stringify(body), 400]);
    }
    expect((await http('POST', `${t.url}/api/messages`, { json: { name: 'paid' } })).status).toBe(401);
    expect((await api('POST', '/messages', { name: 'paid' }, await t.token('sam', ['sales']))).status).toBe(403);
    expect((await api('POST', '/messages', { name: 'nobody-listens', ttl: 'PT0S' }, await t.token('ada', ['admin']))).status).toBe(404);
  });
});
