import { readFile } from 'node:fs/promises';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The Must-show of issue 7 on processes/order-fulfilment.bpmn, through HTTP. Only the jobs
// (validate-address, book-shipping) are completed through the runtime, as a BullMQ worker's
// result would be; everything an integrator does is POST /api/messages and POST /api/signals.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('order fulfilment: messages and signals from integrators', () => {
  let t: TestApp;
  let db: TestDb;
  let executor: CommandExecutor;
  let integrator: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    executor = t.app.get(CommandExecutor);
    integrator = await t.token('shop', ['integrator']);
    const admin = await t.token('ada', ['admin']);
    const xml = await readFile('processes/order-fulfilment.bpmn', 'utf8');
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: xml, headers: { 'content-type': 'application/xml' } })).status).toBe(201);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const api = (method: string, path: string, json?: unknown) => http(method, `${t.url}/api${path}`, { token: integrator, json });
  const placeOrder = async (orderId: string) => {
    const started = await api('POST', '/process-definitions/order-fulfilment/start', {
      businessKey: orderId,
      variables: { orderId, customerEmail: 'jane.doe@example.com', address: { street: '1 Main Street', city: 'Springfield' }, items: [{ sku: 'BOOK-42', quantity: 1 }] },
    });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  /** What a worker's result does: complete the instance's pending job of this type. */
  const completeJob = async (id: string, type: string, variables: Record<string, unknown> = {}) => {
    const job = (await db.pendingJobs(id)).find((j) => j.type === type);
    expect(job).toBeDefined();
    expect(await executor.execute(id, { type: 'completeJob', jobKey: job!.key, variables })).toBe('applied');
  };
  const instance = async (id: string) => (await api('GET', `/process-instances/${id}`)).body;
  const active = async (id: string) => ((await instance(id)).activeElements as { elementId: string }[]).map((e) => e.elementId).sort();

  it('delivery-confirmed, correlated by the order id, completes the wait', async () => {
    const id = await placeOrder('A-1001');
    await completeJob(id, 'validate-address');
    await completeJob(id, 'book-shipping', { shipmentId: 'SH-1', carrier: 'DHL' });
    expect(await active(id)).toEqual(['Gateway_AwaitDelivery', 'SubProcess_Shipping']);

    const confirmed = await api('POST', '/messages', { name: 'delivery-confirmed', correlationKey: 'A-1001', variables: { deliveredAt: '2025-06-01T10:12:00Z' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ processInstanceId: id, elementId: 'Event_DeliveryConfirmed' });
    expect(await instance(id)).toMatchObject({ state: 'completed', variables: { deliveredAt: '2025-06-01T10:12:00Z', shipmentId: 'SH-1' } });
    const history = (await api('GET', `/process-instances/${id}/history`)).body.items as { type: string; elementId?: string }[];
    expect(history.filter((e) => e.type === 'message.correlated')).toMatchObject([{ elementId: 'Event_DeliveryConfirmed' }]);
    expect(history.map((e) => e.elementId)).toContain('EndEvent_OrderFulfilled');
    expect(await db.rows(`SELECT state FROM timer WHERE process_instance_id = $1`, [id])).toEqual([{ state: 'canceled' }]);
  });

  it('delivery-confirmed sent 5 s before the instance reaches the wait, with a ttl, is still delivered', async () => {
    const id = await placeOrder('A-1002');
    const early = await api('POST', '/messages', { name: 'delivery-confirmed', correlationKey: 'A-1002', variables: { deliveredAt: '2025-06-02T08:00:00Z' }, ttl: 'PT1M' });
    expect(early.status).toBe(202);
    expect(early.body).toMatchObject({ buffered: true });
    await sleep(5000);
    await completeJob(id, 'validate-address');
    expect((await instance(id)).state).toBe('active');
    // Booking shipping opens the wait: the buffered message is delivered in that same step.
    await completeJob(id, 'book-shipping', { shipmentId: 'SH-2' });
    expect(await instance(id)).toMatchObject({ state: 'completed', variables: { deliveredAt: '2025-06-02T08:00:00Z' } });
    // Once: the message is spent.
    expect((await api('POST', '/messages', { name: 'delivery-confirmed', correlationKey: 'A-1002' })).status).toBe(404);
  });

  it('address-updated interrupts "Fix the delivery address" and sends the new address back to validation', async () => {
    const id = await placeOrder('A-1003');
    const [job] = await db.pendingJobs(id);
    await executor.execute(id, { type: 'throwError', jobKey: job!.key, code: 'address-missing', variables: { addressProblem: 'postal code missing' } });
    expect(await active(id)).toEqual(['Task_FixAddress']);
    const updated = await api('POST', '/messages', { name: 'address-updated', correlationKey: 'A-1003', variables: { address: { street: '2 Main Street', postalCode: '12345' } } });
    expect(updated.body).toEqual({ processInstanceId: id, elementId: 'Event_AddressUpdated' });
    expect(await active(id)).toEqual(['Task_ValidateAddress']);
    expect((await db.pendingJobs(id))[0]!.variables).toMatchObject({ address: { street: '2 Main Street', postalCode: '12345' } });
    expect(await db.openTasks(id)).toEqual([]);
  });

  it('warehouse-closed reaches every instance in Shipping, with an exact count', async () => {
    // Earlier tests' instances are completed; these 12 are the only ones alive.
    const inShipping: string[] = [];
    const validating: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await placeOrder(`W-${i}`);
      if (i < 2) {
        validating.push(id);
        continue;
      }
      await completeJob(id, 'validate-address');
      // Half book shipping (then wait for delivery), half are still booking.
      if (i % 2 === 0) await completeJob(id, 'book-shipping', { shipmentId: `SH-W-${i}` });
      inShipping.push(id);
    }
    const closed = await api('POST', '/signals', { name: 'warehouse-closed', variables: { closedReason: 'storm' } });
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ delivered: inShipping.length });
    for (const id of inShipping) {
      expect(await active(id)).toEqual(['Task_ReplanShipment']);
      expect((await instance(id)).variables.closedReason).toBe('storm');
      expect(await db.pendingJobs(id)).toEqual([]);
    }
    for (const id of validating) expect(await active(id)).toEqual(['Task_ValidateAddress']);
    // Nobody is in Shipping any more.
    expect((await api('POST', '/signals', { name: 'warehouse-closed' })).body).toEqual({ delivered: 0 });
  });
});
