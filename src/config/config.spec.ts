import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the API.md defaults on an empty environment and flags the dev secret', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/flowdesk',
      redisUrl: 'redis://127.0.0.1:6379',
      bullmqPrefix: 'bull',
      smtpUrl: null,
      processesDir: 'processes',
      templatesDir: 'templates',
      maxUploadBytes: 2 * 1024 * 1024,
      defaultTaskGroup: 'admin',
      taskMails: true,
      auth: { jwtSecret: DEV_JWT_SECRET, usingDevSecret: true, jwksUrl: null },
    });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', REDIS_URL: '::', MAX_UPLOAD_BYTES: '-1', AUTH_JWT_SECRET: 'short', SMTP_URL: 'http://mail', LOG_LEVEL: 'loud', TASK_MAILS: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'MAX_UPLOAD_BYTES', 'AUTH_JWT_SECRET', 'SMTP_URL', 'LOG_LEVEL', 'TASK_MAILS']) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(8);
  });

  it('accepts valid overrides', () => {
    const config = loadConfig({ PORT: '8080', AUTH_JWT_SECRET: 'a-long-enough-secret', AUTH_JWKS_URL: 'https://id.example.com/jwks', SMTP_URL: 'smtp://localhost:2525', DEFAULT_TASK_GROUP: 'ops' });
    expect(config.port).toBe(8080);
    expect(config.auth).toEqual({ jwtSecret: 'a-long-enough-secret', usingDevSecret: false, jwksUrl: 'https://id.example.com/jwks' });
    expect(config.smtpUrl).toBe('smtp://localhost:2525');
    expect(config.defaultTaskGroup).toBe('ops');
  });
});
