import { readFile } from 'node:fs/promises';
import { DirectoryRepository } from '../src/persistence/directory.repository.js';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TimerPoller } from '../src/timers/timer-poller.js';
import { startSmtp, type SmtpCapture } from './notifications-smtp.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The late-delivery race of processes/order-fulfilment.bpmn: after "Book shipping" an event-based
// gateway waits for the delivery-confirmed message or the "Delivery late" timer (deliveryWindow,
// P3D by default; PT3S here, in real time, as notifications.e2e-spec.ts drives it with PT1S).
// The real app with a real SMTP server in this process: a mail that were sent would arrive there.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('order fulfilment: delivery confirmation against the late-delivery timer', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let db: TestDb;
  let admin: string;
  let shop: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_ATTEMPTS: '3', MAIL_BACKOFF_MS: '100' });
    db = new TestDb(t.config.databaseUrl);
    admin = await t.token('ada', ['admin']);
    shop = await t.token('shop', ['integrator']);
    const xml = await readFile('processes/order-fulfilment.bpmn', 'utf8');
    expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: xml, headers: { 'content-type': 'application/xml' } })).status).toBe(201);
    // Dispatch has a member, so an "Investigate late delivery" task would have someone to go to.
    const directory = t.app.get(DirectoryRepository);
    await directory.createGroup({ id: 'dispatch', name: 'Dispatch' });
    await directory.createUser({ id: 'ann', name: 'Ann Archer', email: 'ann@example.com' });
    expect(await directory.addMember('dispatch', 'ann')).toBe('added');
  });
  afterAll(async () => {
    await db.close();
    await t.close();
    await smtp.close();
  });

  /** Starts an order and completes its two jobs (as the workers' results would): it then waits at the gateway. */
  const shipOrder = async (orderId: string, customerEmail: string) => {
    const started = await http('POST', `${t.url}/api/process-definitions/order-fulfilment/start`, {
      token: shop,
      json: { businessKey: orderId, variables: { orderId, customerEmail, customerName: 'Jane Doe', deliveryWindow: 'PT3S', address: { city: 'Springfield' } } },
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const executor = t.app.get(CommandExecutor);
    for (const [type, variables] of [
      ['validate-address', {}],
      ['book-shipping', { shipmentId: `SH-${orderId}`, carrier: 'DHL', trackingUrl: `https://track.example.com/SH-${orderId}` }],
    ] as const) {
      const job = (await db.pendingJobs(id)).find((j) => j.type === type);
      expect(job).toBeDefined();
      expect(await executor.execute(id, { type: 'completeJob', jobKey: job!.key, variables })).toBe('applied');
    }
    const timers = await db.rows<{ key: string; state: string; dueAt: Date }>(
      `SELECT key, state, due_at AS "dueAt" FROM timer WHERE process_instance_id = $1 AND element_id = 'Event_DeliveryLate'`,
      [id],
    );
    expect(timers.map((timer) => timer.state)).toEqual(['pending']);
    return { id, timer: timers[0]! };
  };
  const mailsOf = async (id: string) => {
    const listed = await http('GET', `${t.url}/api/notifications?processInstanceId=${id}`, { token: admin });
    expect(listed.status).toBe(200);
    return listed.body.items as { template: string; status: string }[];
  };
  const historyOf = (id: string, type: string) =>
    db.rows<{ elementId: string; data: Record<string, unknown> }>(
      `SELECT element_id AS "elementId", data FROM history_event WHERE process_instance_id = $1 AND type = $2 ORDER BY id`,
      [id, type],
    );

  it('the delivery confirmation arrives before the timer: no late-delivery mail, the timer is canceled, no investigation', async () => {
    const { id, timer } = await shipOrder('L-1', 'early.bird@example.com');

    const confirmed = await http('POST', `${t.url}/api/messages`, { token: shop, json: { name: 'delivery-confirmed', correlationKey: 'L-1', variables: { deliveredAt: '2025-06-01T10:12:00Z' } } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ processInstanceId: id, elementId: 'Event_DeliveryConfirmed' });
    expect((await http('GET', `${t.url}/api/process-instances/${id}`, { token: shop })).body.state).toBe('completed');

    // The message closed the gateway's other branch in the same transaction: the timer row is canceled.
    expect(await db.rows(`SELECT state, fired_at AS "firedAt" FROM timer WHERE key = $1`, [timer.key])).toEqual([{ state: 'canceled', firedAt: null }]);
    expect(await historyOf(id, 'timer.canceled')).toEqual([{ elementId: 'Event_DeliveryLate', data: { timerKey: timer.key } }]);

    // Let the due time pass, then poll once more ourselves (the app's own poller runs as well): nothing to fire.
    await sleep(Math.max(0, new Date(timer.dueAt).getTime() - Date.now()) + 500);
    await t.app.get(TimerPoller).round();
    expect(await db.rows(`SELECT state FROM timer WHERE key = $1`, [timer.key])).toEqual([{ state: 'canceled' }]);
    expect(await historyOf(id, 'timer.fired')).toEqual([]);
    expect(await mailsOf(id)).toEqual([]);
    expect(await db.rows(`SELECT element_id FROM user_task WHERE process_instance_id = $1`, [id])).toEqual([]);
    expect((await historyOf(id, 'element.entered')).map((e) => e.elementId)).not.toContain('Task_InvestigateLateDelivery');
    expect(smtp.mails.filter((mail) => mail.rcptTo.includes('early.bird@example.com'))).toEqual([]);
  }, 20_000);

  it('control: when no confirmation comes, the same set-up mails the customer and opens the investigation', async () => {
    const { id, timer } = await shipOrder('L-2', 'late.jane@example.com');
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('late.jane@example.com'));
    expect(mail.header('subject')).toBe('Your order L-2 is running late');
    // (plus "task-offered" to dispatch for the investigation task)
    expect((await mailsOf(id)).map((m) => m.template)).toContain('late-delivery');
    expect(await db.rows(`SELECT state FROM timer WHERE key = $1`, [timer.key])).toEqual([{ state: 'fired' }]);
    expect((await db.openTasks(id)).map((task) => task.elementId)).toEqual(['Task_InvestigateLateDelivery']);
    // By now the mail pipeline has delivered a mail end to end: still nothing for the first order's customer.
    expect(smtp.mails.filter((m) => m.rcptTo.includes('early.bird@example.com'))).toEqual([]);
  }, 20_000);
});
