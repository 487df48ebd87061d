// The only reader of process.env. Every setting is parsed once at start-up; a bad value stops
// the service with a message naming each offending variable, so misconfiguration never
// surfaces later as a confusing runtime failure.

export interface AppConfig {
  readonly port: number;
  readonly databaseUrl: string;
  /** Connections this process keeps open to PostgreSQL at most. */
  readonly databasePoolMax: number;
  readonly redisUrl: string;
  readonly bullmqPrefix: string;
  readonly auth: {
    readonly jwtSecret: string;
    /** true when AUTH_JWT_SECRET was not set and the built-in development secret is in use. */
    readonly usingDevSecret: boolean;
    readonly jwksUrl: string | null;
  };
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /** Tries per mail (the first send included) before it is marked failed. */
  readonly mailAttempts: number;
  /** Base delay of the exponential backoff between mail tries. */
  readonly mailBackoffMs: number;
  /** Courtesy mails when a task is offered or assigned (reminders, escalations and model mails are sent regardless). */
  readonly taskMails: boolean;
  /** Where people reach this service; mail templates build their `links` from it. */
  readonly publicUrl: string;
  readonly processesDir: string;
  readonly templatesDir: string;
  readonly maxUploadBytes: number;
  readonly defaultTaskGroup: string;
  /** JSON file of users, groups and memberships applied (upserted) at start-up; null = none. */
  readonly directorySeedFile: string | null;
  readonly logLevel: LogLevel;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null;
  /** Deadline for parsing one uploaded model off the main thread. */
  readonly parseDeadlineMs: number;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Development-only secret: start-up warns loudly when it is in use. */
export const DEV_JWT_SECRET = 'flowdesk-dev-secret-change-me';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** For entry points (the service, the worker script): the configuration, or every problem on stderr and exit 1. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** Reads and validates the environment; throws ConfigError listing every bad variable at once. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const jwtSecretRaw = read.optionalString('AUTH_JWT_SECRET');
  if (jwtSecretRaw !== null && jwtSecretRaw.length < 16) {
    problems.push('AUTH_JWT_SECRET: must be at least 16 characters long');
  }

  const config: AppConfig = {
    port: read.integer('PORT', 3000, 0, 65535),
    databaseUrl: read.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/flowdesk', ['postgres:', 'postgresql:']),
    databasePoolMax: read.integer('DATABASE_POOL_MAX', 20, 2, 500),
    redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    bullmqPrefix: read.pattern('BULLMQ_PREFIX', 'bull', /^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "-" or "." (1-64 characters)'),
    auth: {
      jwtSecret: jwtSecretRaw ?? DEV_JWT_SECRET,
      usingDevSecret: jwtSecretRaw === null,
      jwksUrl: read.optionalUrl('AUTH_JWKS_URL', ['http:', 'https:']),
    },
    smtpUrl: read.optionalUrl('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: read.pattern('MAIL_FROM', 'Flowdesk <flowdesk@localhost>', /^[^\r\n]{3,320}$/, 'a single-line address'),
    mailAttempts: read.integer('MAIL_ATTEMPTS', 8, 1, 50),
    mailBackoffMs: read.integer('MAIL_BACKOFF_MS', 30_000, 10, 3_600_000),
    taskMails: read.oneOf('TASK_MAILS', 'on', ['on', 'off'] as const) === 'on',
    publicUrl: (read.optionalUrl('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${env.PORT?.trim() || 3000}`).replace(/\/+$/, ''),
    processesDir: read.string('PROCESSES_DIR', 'processes'),
    templatesDir: read.string('TEMPLATES_DIR', 'templates'),
    maxUploadBytes: read.integer('MAX_UPLOAD_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    defaultTaskGroup: read.pattern('DEFAULT_TASK_GROUP', 'admin', /^[^\s,]{1,128}$/, 'a group name without spaces or commas'),
    directorySeedFile: read.optionalString('DIRECTORY_SEED_FILE'),
    logLevel: read.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    parseDeadlineMs: read.integer('BPMN_PARSE_DEADLINE_MS', 5000, 100, 60000),
    metricsToken: read.optionalString('METRICS_TOKEN'),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | null {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | null {
    return this.raw(name);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === null) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return Number(value);
  }

  url(name: string, fallback: string, protocols: readonly string[]): string {
    return this.optionalUrl(name, protocols) ?? fallback;
  }

  optionalUrl(name: string, protocols: readonly string[]): string | null {
    const value = this.raw(name);
    if (value === null) return null;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push(`${name}: not a valid URL`);
      return null;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(`${name}: expected a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL, got ${parsed.protocol.replace(':', '')}`);
      return null;
    }
    return value;
  }

  pattern(name: string, fallback: string, pattern: RegExp, description: string): string {
    const value = this.raw(name);
    if (value === null) return fallback;
    if (!pattern.test(value)) {
      this.problems.push(`${name}: expected ${description}, got "${value}"`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === null) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }
}
