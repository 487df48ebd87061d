// A real SMTP server in the test process (smtp-server), capturing every mail it accepts with its
// SMTP envelope, plus a small MIME reader for the parts nodemailer writes (headers, multipart/
// alternative, quoted-printable / base64 / 7bit bodies).
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly mailFrom: string;
  readonly rcptTo: string[];
  readonly raw: string;
  header(name: string): string | null;
  readonly html: string | null;
  readonly text: string | null;
}

export interface SmtpCapture {
  url: string;
  readonly mails: ReceivedMail[];
  /** While true, every connection is answered `421 Service not available` (SMTP down). */
  down: boolean;
  connections: number;
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpCapture> {
  const capture = {
    url: '',
    mails: [] as ReceivedMail[],
    down: false,
    connections: 0,
  } as SmtpCapture;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      capture.connections++;
      if (capture.down) return callback(Object.assign(new Error('Service not available, try later'), { responseCode: 421 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        capture.mails.push(readMail(Buffer.concat(chunks).toString('utf8'), envelope.mailFrom ? envelope.mailFrom.address : '', envelope.rcptTo.map((r) => r.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  capture.url = `smtp://127.0.0.1:${port}`;
  capture.waitFor = async (predicate, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = capture.mails.find(predicate);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching mail within ${timeoutMs} ms (received ${capture.mails.length})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  capture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return capture;
}

export function readMail(raw: string, mailFrom = '', rcptTo: string[] = []): ReceivedMail {
  const { headers, body } = splitEntity(raw);
  const parts: { type: string; body: string }[] = [];
  collectParts(headers, body, parts);
  return {
    mailFrom,
    rcptTo,
    raw,
    header: (name) => headerOf(headers, name),
    html: parts.find((p) => p.type === 'text/html')?.body ?? null,
    text: parts.find((p) => p.type === 'text/plain')?.body ?? null,
  };
}

function splitEntity(raw: string): { headers: string; body: string } {
  const normalised = raw.replace(/\r\n/g, '\n');
  const at = normalised.indexOf('\n\n');
  return at < 0 ? { headers: normalised, body: '' } : { headers: normalised.slice(0, at), body: normalised.slice(at + 2) };
}

function headerOf(headers: string, name: string): string | null {
  const unfolded = headers.replace(/\n[ \t]+/g, ' ');
  const line = unfolded.split('\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line === undefined ? null : decodeWords(line.slice(name.length + 1).trim());
}

function collectParts(headers: string, body: string, out: { type: string; body: string }[]): void {
  const contentType = headerOf(headers, 'content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return;
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitEntity(chunk.replace(/^\n/, ''));
      collectParts(part.headers, part.body.replace(/\n$/, ''), out);
    }
    return;
  }
  const encoding = (headerOf(headers, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  let decoded = body;
  if (encoding === 'quoted-printable') {
    decoded = Buffer.from(
      body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  } else if (encoding === 'base64') decoded = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  out.push({ type, body: decoded });
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) in headers. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}
