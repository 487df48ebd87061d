import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import type { StoredMailbox } from '../persistence/notification.repository.js';

/** A mail as the sender hands it to a transport: already rendered, recipients already validated. */
export interface OutgoingMail {
  readonly id: string;
  readonly to: readonly StoredMailbox[];
  readonly cc: readonly StoredMailbox[];
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** `<notification-id@flowdesk>`: the same on every try, so a retry is recognisably the same mail. */
  readonly messageId: string;
  /** When it was queued: the Date header, also the same on every try. */
  readonly date: Date;
}

export interface SentInfo {
  /** The server's answer, or where the file went. */
  readonly response: string;
  /** Recipients the server refused while accepting the others. */
  readonly rejected: readonly string[];
}

/** The server refused the mail for good (SMTP 5xx): retrying cannot help. */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

/** Where mails go. Injected, so tests and other deployments can swap it. */
export abstract class MailTransport {
  abstract readonly description: string;
  abstract send(mail: OutgoingMail): Promise<SentInfo>;
  async close(): Promise<void> {}
}

/** The fields both transports give nodemailer. Recipients are objects, never header text. */
function messageOf(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to.map(({ address, name }) => (name ? { address, name } : address)),
    cc: mail.cc.length > 0 ? mail.cc.map(({ address, name }) => (name ? { address, name } : address)) : undefined,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    date: mail.date,
    headers: { 'X-Flowdesk-Notification': mail.id },
    // Templates never attach files; make sure nothing in a message can make nodemailer read one.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** SMTP_URL set: nodemailer's SMTP transport. */
export class SmtpMailTransport extends MailTransport {
  readonly description: string;
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    const url = new URL(smtpUrl);
    this.description = `smtp ${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
    // Bounded waits: a hung server must not hold a worker (and the send lease) for minutes.
    // Query parameters of SMTP_URL (e.g. ?socketTimeout=…) override these.
    this.transporter = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  }

  async send(mail: OutgoingMail): Promise<SentInfo> {
    try {
      const info = await this.transporter.sendMail(messageOf(mail, this.from));
      const rejected = (info.rejected ?? []).map((entry: unknown) => (typeof entry === 'string' ? entry : String((entry as { address?: string }).address)));
      return { response: String(info.response ?? ''), rejected };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      const message = error instanceof Error ? error.message : String(error);
      if (typeof code === 'number' && code >= 500 && code < 600) throw new PermanentMailError(message);
      throw error;
    }
  }

  override async close(): Promise<void> {
    this.transporter.close();
  }
}

/** No SMTP_URL: each mail becomes `<dir>/<notification-id>.eml` (RFC 822) and a log line. */
export class EmlFileTransport extends MailTransport {
  readonly description: string;
  private readonly logger = new JsonLogger('mail');
  private readonly transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  private readonly dir: string;

  constructor(
    dir: string,
    private readonly from: string,
  ) {
    super();
    this.dir = resolve(dir);
    this.description = `eml files in ${this.dir}`;
  }

  async send(mail: OutgoingMail): Promise<SentInfo> {
    const info = await this.transporter.sendMail(messageOf(mail, this.from));
    const bytes = info.message as Buffer;
    await mkdir(this.dir, { recursive: true });
    // Named by notification id: a retry overwrites the same file, it never adds a second one.
    const file = join(this.dir, `${mail.id}.eml`);
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, bytes);
    await rename(partial, file);
    this.logger.info('mail written (no SMTP_URL)', { file, to: mail.to.map((m) => m.address), cc: mail.cc.map((m) => m.address), subject: mail.subject, messageId: mail.messageId });
    return { response: `written to ${file}`, rejected: [] };
  }
}

export const MAIL_DIR = 'var/mail';

export function transportFor(config: AppConfig): MailTransport {
  return config.smtpUrl ? new SmtpMailTransport(config.smtpUrl, config.mailFrom) : new EmlFileTransport(MAIL_DIR, config.mailFrom);
}
