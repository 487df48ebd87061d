import type { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../config/config.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: LogLevel = 'info';

/** Sets the process-wide minimum level (from LOG_LEVEL at start-up). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/**
 * Structured logs: one JSON object per line on stdout, so log shippers need no parsing rules.
 * Also serves as Nest's logger, so framework messages come out in the same shape.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly context = 'app') {}

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  info(message: unknown, fields?: Record<string, unknown>): void {
    this.write('info', message, fields ? [fields] : []);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (RANK[level] < RANK[threshold]) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, context: this.context };
    for (const extra of rest) {
      // Nest passes the context as a trailing string and stacks as strings; our code passes fields.
      if (typeof extra === 'string') entry[entry.context === this.context ? 'context' : 'detail'] = extra;
      else if (extra && typeof extra === 'object') Object.assign(entry, extra);
    }
    entry.msg = message instanceof Error ? message.message : message;
    if (message instanceof Error && message.stack) entry.stack = message.stack;
    const line = safeStringify(entry);
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ level: 'error', msg: 'unserialisable log entry' });
  }
}
