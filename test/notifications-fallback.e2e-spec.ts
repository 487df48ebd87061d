import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../src/app.factory.js';
import { MailService } from '../src/notifications/mail.service.js';
import { readMail } from './notifications-smtp.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { dropDatabase, startTestApp, testConfig } from './support/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mail without SMTP_URL: .eml files under var/mail/', () => {
  it('writes the rendered mail as an RFC 822 file named by the notification, and marks it sent', async () => {
    const t = await startTestApp();
    const db = new TestDb(t.config.databaseUrl);
    let file: string | null = null;
    try {
      expect(t.config.smtpUrl).toBeNull();
      const [queued] = await t.app.get(MailService).queue({
        template: 'late-delivery',
        to: ['Jane Doe <jane.doe@example.com>'],
        cc: ['ops@example.com'],
        context: { variables: { orderId: 'E-1', customerName: 'Jane' } },
        reason: 'test',
      });
      expect(queued!.status).toBe('queued');
      file = resolve('var/mail', `${queued!.id}.eml`);
      const admin = await t.token('ada', ['admin']);
      const until = Date.now() + 10_000;
      let status = 'queued';
      while (status !== 'sent' && Date.now() < until) {
        await sleep(50);
        status = (await http('GET', `${t.url}/api/notifications/${queued!.id}`, { token: admin })).body.status;
      }
      expect(status).toBe('sent');
      const mail = readMail(await readFile(file, 'utf8'));
      expect(mail.header('message-id')).toBe(`<${queued!.id}@flowdesk>`);
      expect(mail.header('subject')).toBe('Your order E-1 is running late');
      expect(mail.header('to')).toBe('Jane Doe <jane.doe@example.com>');
      expect(mail.header('cc')).toBe('ops@example.com');
      expect(mail.header('from')).toBe('Flowdesk <flowdesk@localhost>');
      expect(mail.html).toContain('Dear Jane,');
      expect(mail.text).toContain('Dear Jane,');
      const [row] = await db.rows(`SELECT attempts, last_error FROM notification WHERE id = $1`, [queued!.id]);
      expect(row).toEqual({ attempts: 1, last_error: null });
    } finally {
      if (file) await rm(file, { force: true });
      await db.close();
      await t.close();
    }
  });
});

describe('templates are checked at start-up', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdesk-templates-'));
    await cp('templates', dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const startupError = async (): Promise<string> => {
    const { config, databaseName } = testConfig({ TEMPLATES_DIR: dir });
    const app = await createApp(config);
    try {
      await app.init();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      await app.close().catch(() => undefined);
      await dropDatabase(databaseName);
    }
    throw new Error('start-up succeeded with a broken template');
  };

  it('a broken template stops start-up with its file name and the error', async () => {
    await writeFile(join(dir, 'broken.hbs'), '---\nsubject: Order {{variables.orderId}}\n---\n<p>{{#if variables.late}}Late!</p>\n');
    await writeFile(join(dir, 'late-delivery.text.hbs'), 'Hello {{> signature}}\n');
    const message = await startupError();
    expect(message).toContain('Invalid mail templates');
    expect(message).toContain(`${join(dir, 'broken.hbs')}: Parse error on line 5`);
    expect(message).toContain(`${join(dir, 'late-delivery.text.hbs')}:1: unknown partial 'signature'`);
  });

  it('a missing default template stops start-up too', async () => {
    await rm(join(dir, 'task-reminder.hbs'));
    expect(await startupError()).toContain(`${join(dir, 'task-reminder.hbs')}: missing`);
  });
});
