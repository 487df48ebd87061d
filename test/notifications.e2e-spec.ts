import { readFile } from 'node:fs/promises';
import { jest } from '@jest/globals';
import { MailQueue } from '../src/notifications/mail-queue.js';
import { MailReconciler } from '../src/notifications/mail-reconciler.js';
import { MailService } from '../src/notifications/mail.service.js';
import { DirectoryRepository } from '../src/persistence/directory.repository.js';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { OutboxRelay } from '../src/runtime/outbox-relay.js';
import { startSmtp, type SmtpCapture } from './notifications-smtp.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Mail end to end: the real app, a real SMTP server in this process receiving the real mails.
// MAIL_ATTEMPTS=3 with a 100 ms backoff base keeps the retry test to well under a second.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A send task mailing `late-delivery` to `=mailTo`, cc `=mailCc`. */
const NOTIFY_MODEL = definitions(`
  <bpmn:process id="notify-test" name="Notify test" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Task_Notify" />
    <bpmn:sendTask id="Task_Notify" name="Notify">
      <bpmn:extensionElements>
        <zeebe:taskHeaders>
          <zeebe:header key="template" value="late-delivery" />
          <zeebe:header key="to" value="=mailTo" />
          <zeebe:header key="cc" value="=mailCc" />
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

describe('mail: templates, recipients, SMTP, retries, outbox', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let db: TestDb;
  let admin: string;
  /** The open "Investigate late delivery" task of the first test. */
  let investigateTask: { id: string; processInstanceId: string };

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_ATTEMPTS: '3', MAIL_BACKOFF_MS: '100', PUBLIC_URL: 'https://flowdesk.example.com' });
    db = new TestDb(t.config.databaseUrl);
    admin = await t.token('ada', ['admin']);
    for (const file of [{ xml: await readFile('processes/order-fulfilment.bpmn', 'utf8') }, { xml: NOTIFY_MODEL }]) {
      const deployed = await http('POST', `${t.url}/api/deployments`, { token: admin, body: file.xml, headers: { 'content-type': 'application/xml' } });
      expect(deployed.status).toBe(201);
    }
    const directory = t.app.get(DirectoryRepository);
    await directory.createGroup({ id: 'dispatch', name: 'Dispatch' });
    await directory.createUser({ id: 'ann', name: 'Ann Archer', email: 'ann@example.com' });
    await directory.createUser({ id: 'bob', name: 'Bob, the builder', email: 'Bob@Example.com' });
    await directory.createUser({ id: 'carl', name: 'Carl', email: null });
    await directory.createUser({ id: 'dave', name: 'Dave', email: 'dave@example.com' });
    for (const user of ['ann', 'bob', 'carl']) expect(await directory.addMember('dispatch', user)).toBe('added');
  });
  afterAll(async () => {
    await db.close();
    await t.close();
    await smtp.close();
  });

  const api = (method: string, path: string, json?: unknown, token = admin) => http(method, `${t.url}/api${path}`, { token, json });
  const start = async (key: string, variables: Record<string, unknown>, businessKey?: string) => {
    const started = await api('POST', `/process-definitions/${key}/start`, { businessKey, variables });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const mailsOf = async (instanceId: string) => (await api('GET', `/notifications?processInstanceId=${instanceId}`)).body.items as any[];
  const waitForStatus = async (instanceId: string, status: string, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const items = await mailsOf(instanceId);
      if (items.length > 0 && items.every((item) => item.status === status)) return items;
      if (Date.now() > until) throw new Error(`mails of ${instanceId} not ${status}: ${JSON.stringify(items)}`);
      await sleep(50);
    }
  };
  const historyTypes = async (instanceId: string) =>
    ((await api('GET', `/process-instances/${instanceId}/history`)).body.items as { type: string }[]).map((e) => e.type).filter((type) => type.startsWith('mail.'));

  it('order fulfilment: the late-delivery timer fires, dispatch gets the task and the customer the late-delivery mail', async () => {
    const executor = t.app.get(CommandExecutor);
    const id = await start(
      'order-fulfilment',
      { orderId: 'A-2001', customerEmail: 'jane.doe@example.com', customerName: 'Jane <Doe>', deliveryWindow: 'PT1S', address: { city: 'Springfield' } },
      'A-2001',
    );
    for (const [type, variables] of [
      ['validate-address', {}],
      ['book-shipping', { shipmentId: 'SH-1', carrier: 'DHL', trackingUrl: 'https://track.example.com/SH-1' }],
    ] as const) {
      const job = (await db.pendingJobs(id)).find((j) => j.type === type);
      expect(await executor.execute(id, { type: 'completeJob', jobKey: job!.key, variables })).toBe('applied');
    }
    // No delivery confirmation: the PT1S timer fires (timer poller), the send task queues the mail.
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('jane.doe@example.com'));
    // Three mails in all: the late-delivery one and the investigate task offered to dispatch's two members with an address.
    const until = Date.now() + 10_000;
    while ((await mailsOf(id)).filter((item) => item.status === 'sent').length < 3 && Date.now() < until) await sleep(50);
    const row = (await waitForStatus(id, 'sent')).find((item) => item.template === 'late-delivery');
    expect(row).toMatchObject({
      template: 'late-delivery',
      reason: 'send-task',
      status: 'sent',
      elementId: 'Task_NotifyLateDelivery',
      to: [{ address: 'jane.doe@example.com' }],
      cc: [],
      subject: 'Your order A-2001 is running late',
      attempts: 1,
      maxAttempts: 3,
      lastError: null,
    });
    expect(row.sentAt).toEqual(expect.any(String));

    expect(mail.rcptTo).toEqual(['jane.doe@example.com']);
    expect(mail.mailFrom).toBe('flowdesk@localhost');
    expect(mail.header('subject')).toBe('Your order A-2001 is running late');
    expect(mail.header('to')).toBe('jane.doe@example.com');
    expect(mail.header('message-id')).toBe(`<${row.id}@flowdesk>`);
    expect(row.messageId).toBe(`<${row.id}@flowdesk>`);
    expect(mail.html).toContain('Dear Jane &lt;Doe&gt;,');
    expect(mail.html).toContain('<a href="https://track.example.com/SH-1">track your parcel</a>');
    expect(mail.html).toContain('<title>Your order A-2001 is running late</title>');
    expect(mail.text).toContain('Dear Jane <Doe>,');
    expect(mail.text).toContain('with DHL');

    const openTasks = await db.openTasks(id);
    expect(openTasks.map((task) => [task.elementId, task.candidateGroups])).toEqual([['Task_InvestigateLateDelivery', ['dispatch']]]);
    investigateTask = { id: openTasks[0]!.id, processInstanceId: id };
    // The late-delivery mail, then the investigate task offered to dispatch (one mail per member).
    expect((await historyTypes(id)).sort()).toEqual(['mail.queued', 'mail.queued', 'mail.queued', 'mail.sent', 'mail.sent', 'mail.sent']);

    // The task-offered mails the runtime queued when the task was created: carl has no address and
    // is skipped; bob's directory address is normalised; his display name (with a comma) is left out
    // rather than trusted.
    const offered = (await mailsOf(id)).filter((item) => item.reason === 'task-offered').sort((a, b) => a.to[0].address.localeCompare(b.to[0].address));
    expect(offered.map((n) => [n.status, n.template, n.taskId, n.to.map((m: { address: string }) => m.address)])).toEqual([
      ['sent', 'task-offered', openTasks[0]!.id, ['ann@example.com']],
      ['sent', 'task-offered', openTasks[0]!.id, ['Bob@example.com']],
    ]);
    const toAnn = await smtp.waitFor((m) => m.header('message-id') === `<${offered[0]!.id}@flowdesk>`);
    const toBob = await smtp.waitFor((m) => m.header('message-id') === `<${offered[1]!.id}@flowdesk>`);
    expect(toAnn.rcptTo).toEqual(['ann@example.com']);
    expect(toAnn.header('to')).toBe('Ann Archer <ann@example.com>');
    expect(toAnn.header('subject')).toBe('New task: Investigate late delivery (A-2001)');
    expect(toAnn.text).toContain('Hello Ann Archer,');
    expect(toAnn.html).toContain(`href="https://flowdesk.example.com/api/tasks/${openTasks[0]!.id}"`);
    expect(toBob.rcptTo).toEqual(['Bob@example.com']);
    expect(toBob.text).toContain('Hello,');
    // Asking again with the runtime's dedupe key queues nothing.
    const mailService = t.app.get(MailService);
    const again = await mailService.queue({ template: 'task-offered', to: ['group:dispatch'], taskId: openTasks[0]!.id, reason: 'task-offered', separately: true, dedupeKey: `task-offered:${openTasks[0]!.id}` });
    expect(again.map((n) => [n.id, n.duplicate]).sort()).toEqual(offered.map((n) => [n.id, true]).sort());
  });

  it('a send task to a directory group with a FEEL cc: one mail, members resolved through the directory', async () => {
    const before = smtp.mails.length;
    const id = await start('notify-test', { mailTo: { group: 'dispatch' }, mailCc: [{ user: 'dave' }, 'Ops Desk <ops@example.com>', 'ann@example.com'], orderId: 'G-1' });
    const [row] = await waitForStatus(id, 'sent');
    const mail = await smtp.waitFor((m) => m.header('message-id') === row.messageId);
    expect(mail.rcptTo.sort()).toEqual(['Bob@example.com', 'ann@example.com', 'dave@example.com', 'ops@example.com']);
    expect(mail.header('to')).toBe('Ann Archer <ann@example.com>, Bob@example.com');
    expect(mail.header('cc')).toBe('Dave <dave@example.com>, Ops Desk <ops@example.com>');
    expect(row.to).toEqual([
      { address: 'ann@example.com', name: 'Ann Archer', userId: 'ann' },
      { address: 'Bob@example.com', userId: 'bob' },
    ]);
    expect(smtp.mails.length).toBe(before + 1);
  });

  it.each([
    ['a CR/LF header injection', 'victim@example.com\r\nBcc: attacker@evil.example', /line break/],
    ['a bare LF and a second RCPT', 'victim@example.com\nRCPT TO:<attacker@evil.example>', /line break/],
    ['a comma-separated second address', 'victim@example.com, attacker@evil.example', /not a single e-mail address/],
    ['a display name smuggling an address', '"attacker@evil.example, Victim" <victim@example.com>', /display name/],
  ])('%s never adds a recipient: the mail is refused and recorded as failed', async (_, mailTo, reason) => {
    const before = smtp.mails.length;
    const id = await start('notify-test', { mailTo, orderId: 'X-1' });
    const [row] = await waitForStatus(id, 'failed');
    expect(row).toMatchObject({ status: 'failed', attempts: 0, to: [], subject: null, template: 'late-delivery' });
    expect(row.lastError).toMatch(reason);
    expect(row.failedAt).toEqual(expect.any(String));
    expect(await historyTypes(id)).toEqual(['mail.failed']);
    await sleep(300);
    expect(smtp.mails.length).toBe(before);
    expect(smtp.mails.flatMap((m) => m.rcptTo)).not.toContain('attacker@evil.example');
    expect(smtp.mails.some((m) => m.raw.includes('attacker@evil.example'))).toBe(false);
  });

  it('SMTP down: retried with backoff, failed after the last try, lastError in the API and mail.failed in history', async () => {
    smtp.down = true;
    const connectionsBefore = smtp.connections;
    try {
      const id = await start('notify-test', { mailTo: 'jane.doe@example.com', orderId: 'D-1' });
      const [row] = await waitForStatus(id, 'failed');
      expect(row).toMatchObject({ status: 'failed', attempts: 3, maxAttempts: 3 });
      expect(row.lastError).toMatch(/421|Service not available/);
      expect(smtp.connections - connectionsBefore).toBe(3);
      expect(await historyTypes(id)).toEqual(['mail.queued', 'mail.failed']);
      const listed = await api('GET', '/notifications?status=failed&size=200');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((n: { id: string }) => n.id)).toContain(row.id);
      expect(listed.body.items.every((n: { status: string }) => n.status === 'failed')).toBe(true);
    } finally {
      smtp.down = false;
    }
  });

  it('the same outbox row published twice sends one mail', async () => {
    const id = await start('notify-test', { mailTo: 'twice@example.com', orderId: 'T-1' });
    const [row] = await waitForStatus(id, 'sent');
    await smtp.waitFor((m) => m.header('message-id') === row.messageId);
    const [outbox] = await db.rows<{ id: string; publishedAt: Date | null }>(
      `SELECT id::text AS id, published_at AS "publishedAt" FROM outbox WHERE process_instance_id = $1 AND kind = 'mail.send'`,
      [id],
    );
    expect(outbox!.publishedAt).not.toBeNull();
    // As after a crash between publishing and marking: the relay publishes the row again.
    await db.rows(`UPDATE outbox SET published_at = NULL WHERE id = $1`, [outbox!.id]);
    const relay = t.app.get(OutboxRelay);
    relay.kick();
    await relay.idle();
    const [republished] = await db.rows<{ publishedAt: Date | null }>(`SELECT published_at AS "publishedAt" FROM outbox WHERE id = $1`, [outbox!.id]);
    expect(republished!.publishedAt).not.toBeNull();
    await sleep(500);
    expect(await mailsOf(id)).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.rcptTo.includes('twice@example.com'))).toHaveLength(1);
  });

  it('a mail.notify outbox row from another module is queued once, to a directory user, with the task in context', async () => {
    const payload = { template: 'task-assigned', to: [{ user: 'dave' }], taskId: investigateTask.id, reason: 'task-assigned' };
    const [outbox] = await db.rows<{ id: string }>(
      `INSERT INTO outbox (kind, process_instance_id, payload, created_at) VALUES ('mail.notify', $1, $2, now()) RETURNING id::text AS id`,
      [investigateTask.processInstanceId, JSON.stringify(payload)],
    );
    const relay = t.app.get(OutboxRelay);
    relay.kick();
    await relay.idle();
    const [row] = (await api('GET', `/notifications?taskId=${investigateTask.id}&template=task-assigned`)).body.items;
    expect(row).toMatchObject({ reason: 'task-assigned', elementId: 'Task_InvestigateLateDelivery', to: [{ address: 'dave@example.com', name: 'Dave', userId: 'dave' }] });
    const mail = await smtp.waitFor((m) => m.header('message-id') === row.messageId);
    expect(mail.rcptTo).toEqual(['dave@example.com']);
    expect(mail.header('subject')).toBe('Assigned to you: Investigate late delivery (A-2001)');
    expect(mail.text).toContain('Hello Dave,');
    // Published again: still one.
    await db.rows(`UPDATE outbox SET published_at = NULL WHERE id = $1`, [outbox!.id]);
    relay.kick();
    await relay.idle();
    expect((await api('GET', `/notifications?taskId=${investigateTask.id}&template=task-assigned`)).body.total).toBe(1);
  });

  it('a mail whose job Redis lost is queued again by the reconciler', async () => {
    const queue = t.app.get(MailQueue);
    const spy = jest.spyOn(queue, 'enqueue').mockRejectedValueOnce(new Error('Redis is down'));
    try {
      const [queued] = await t.app.get(MailService).queue({ template: 'late-delivery', to: ['lost@example.com'], context: { variables: { orderId: 'L-1' } }, reason: 'test' });
      expect(queued!.status).toBe('queued');
      await sleep(300);
      expect(smtp.mails.some((m) => m.rcptTo.includes('lost@example.com'))).toBe(false);
      expect((await queue.state(queued!.id)).state).toBe('missing');
      expect(await t.app.get(MailReconciler).reconcileNow({ graceSeconds: 0 })).toBeGreaterThanOrEqual(1);
      const mail = await smtp.waitFor((m) => m.rcptTo.includes('lost@example.com'));
      expect(mail.header('message-id')).toBe(`<${queued!.id}@flowdesk>`);
    } finally {
      spy.mockRestore();
    }
  });

  it('GET /api/notifications: admin only, filters, paging, detail, OpenAPI', async () => {
    const staff = await t.token('sam', ['dispatch']);
    expect((await api('GET', '/notifications', undefined, staff)).status).toBe(403);
    expect((await http('GET', `${t.url}/api/notifications`)).status).toBe(401);
    expect((await api('GET', '/notifications?status=lost')).status).toBe(400);
    expect((await api('GET', '/notifications?size=500')).status).toBe(400);

    const all = await api('GET', '/notifications?size=200');
    expect(all.body.total).toBe(all.body.items.length);
    const page = await api('GET', '/notifications?page=2&size=2');
    expect(page.body).toMatchObject({ page: 2, size: 2, total: all.body.total });
    expect(page.body.items.map((n: { id: string }) => n.id)).toEqual(all.body.items.slice(2, 4).map((n: { id: string }) => n.id));
    expect((await api('GET', '/notifications?template=task-offered')).body.total).toBe(2);

    const sent = all.body.items.find((n: { status: string; template: string }) => n.status === 'sent' && n.template === 'late-delivery');
    const detail = await api('GET', `/notifications/${sent.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: sent.id, status: 'sent', subject: sent.subject });
    expect(detail.body.html).toContain('<!DOCTYPE html>');
    expect(detail.body.text).toContain('Kind regards');
    expect((await api('GET', '/notifications/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('GET', '/notifications/not-a-uuid')).status).toBe(404);

    const docs = await http('GET', `${t.url}/api/docs-json`);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/notifications', '/api/notifications/{id}']));
  });
});
