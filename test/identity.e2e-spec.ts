import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { Controller, type DynamicModule, Get, type INestApplication, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { base64url, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { HttpErrorFilter } from '../src/common/http-error.filter.js';
import { JsonLogger } from '../src/common/json-logger.js';
import { type AppConfig, loadConfig } from '../src/config/config.js';
import { ConfigModule } from '../src/config/config.module.js';
import { CurrentUser, Public, RequireGroups } from '../src/identity/auth.decorators.js';
import { signDevToken } from '../src/identity/dev-token.js';
import { GroupDirectory } from '../src/identity/group-directory.js';
import { IdentityModule } from '../src/identity/identity.module.js';
import type { Principal } from '../src/identity/principal.js';

const SECRET = 'e2e-identity-secret-0123456789';

@Controller('probe')
class ProbeController {
  @Public()
  @Get('public')
  open() {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentUser() user: Principal) {
    return user;
  }

  @RequireGroups('modeler')
  @Get('deploy')
  deploy(@CurrentUser() user: Principal) {
    return { deployedBy: user.id };
  }
}

@RequireGroups('integrator')
@Controller('strict')
class StrictController {
  /** Method and controller rules both apply. */
  @RequireGroups('modeler')
  @Get()
  both() {
    return { ok: true };
  }
}

async function startApp(config: AppConfig, identity: Type | DynamicModule) {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forConfig(config), identity],
    controllers: [ProbeController, StrictController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new HttpErrorFilter());
  await app.listen(0, '127.0.0.1');
  return app;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const token = (user: string, roles: string[] = []) => signDevToken({ user, roles }, SECRET);
const bearer = (value: string) => ({ Authorization: `Bearer ${value}` });
const unauthorized = (message: string) => ({ statusCode: 401, error: 'Unauthorized', message, details: [] });

describe('identity over HTTP (HS256 + JWKS)', () => {
  let app: INestApplication;
  let jwksServer: Server;
  let jwksHits = 0;
  let rsaKey: CryptoKey;
  let ecKey: CryptoKey;

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    rsaKey = rsa.privateKey;
    ecKey = ec.privateKey;
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwksServer = createServer((req, res) => {
      jwksHits += 1;
      res.writeHead(req.url === '/jwks.json' ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(req.url === '/jwks.json' ? { keys } : {}));
    });
    const jwksBase = await listen(jwksServer);
    app = await startApp(loadConfig({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: `${jwksBase}/jwks.json` }), IdentityModule);
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const http = () => request(app.getHttpServer());

  it('serves @Public() routes without a token', async () => {
    await http().get('/probe/public').expect(200, { ok: true });
  });

  it('answers 401 in the API error shape without a token or with another scheme', async () => {
    await http().get('/probe/me').expect(401, unauthorized('missing bearer token'));
    const basic = await http().get('/probe/me').set('Authorization', 'Basic YWxpY2U6eA==').expect(401);
    expect(basic.body.message).toMatch(/^missing bearer token/);
  });

  it('refuses a bad signature, an expired token and alg none', async () => {
    const forged = await signDevToken({ user: 'mallory', roles: ['admin'] }, 'not-the-secret-0123456789');
    await http().get('/probe/me').set(bearer(forged)).expect(401, unauthorized('invalid token: bad signature'));

    const expired = await signDevToken({ user: 'alice', roles: ['modeler'], expiresIn: '-1h' }, SECRET);
    await http().get('/probe/me').set(bearer(expired)).expect(401, unauthorized('invalid token: expired'));

    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({ sub: 'mallory', roles: ['admin'] }));
    const none = await http().get('/probe/me').set(bearer(`${header}.${payload}.`)).expect(401);
    expect(none.body.message).toBe('invalid token: algorithm none is not accepted (use HS256, RS256 or ES256)');
  });

  it('refuses a token whose roles claim is not a string array', async () => {
    const bad = await new SignJWT({ roles: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('eve').sign(new TextEncoder().encode(SECRET));
    await http().get('/probe/me').set(bearer(bad)).expect(401, unauthorized('invalid token: roles claim must be an array of strings'));
  });

  it('accepts HS256 and exposes the principal through @CurrentUser()', async () => {
    const alice = await signDevToken({ user: 'alice', roles: ['accounting'], email: 'alice@example.test', name: 'Alice' }, SECRET);
    await http()
      .get('/probe/me')
      .set(bearer(alice))
      .expect(200, { id: 'alice', groups: ['accounting'], email: 'alice@example.test', name: 'Alice' });
  });

  it('enforces @RequireGroups: 403 without the group, 200 for the group and for admin', async () => {
    await http()
      .get('/probe/deploy')
      .set(bearer(await token('alice', ['accounting'])))
      .expect(403, { statusCode: 403, error: 'Forbidden', message: 'requires one of the groups: modeler', details: [] });
    await http().get('/probe/deploy').set(bearer(await token('mo', ['modeler']))).expect(200, { deployedBy: 'mo' });
    await http().get('/probe/deploy').set(bearer(await token('root', ['admin']))).expect(200, { deployedBy: 'root' });
  });

  it('applies controller and method group rules together', async () => {
    await http().get('/strict').set(bearer(await token('mo', ['modeler']))).expect(403);
    await http().get('/strict').set(bearer(await token('int', ['integrator']))).expect(403);
    await http().get('/strict').set(bearer(await token('both', ['integrator', 'modeler']))).expect(200);
    await http().get('/strict').set(bearer(await token('root', ['admin']))).expect(200);
  });

  it('accepts RS256 and ES256 tokens signed by keys in the JWKS, fetching the set once', async () => {
    const rs = await new SignJWT({ roles: ['modeler'] }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setSubject('idp-user').setExpirationTime('5m').sign(rsaKey);
    const es = await new SignJWT({ roles: ['integrator'] }).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).setSubject('idp-bot').setExpirationTime('5m').sign(ecKey);
    await http().get('/probe/deploy').set(bearer(rs)).expect(200, { deployedBy: 'idp-user' });
    await http().get('/probe/me').set(bearer(es)).expect(200, { id: 'idp-bot', groups: ['integrator'] });
    await http().get('/probe/me').set(bearer(rs)).expect(200);
    expect(jwksHits).toBe(1);
  });

  it('refuses RS256/ES256 tokens from keys outside the JWKS', async () => {
    const stranger = await generateKeyPair('ES256');
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).setSubject('x').sign(stranger.privateKey);
    await http().get('/probe/me').set(bearer(foreign)).expect(401, unauthorized('invalid token: bad signature'));
    const unknownKid = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'nope' }).setSubject('x').sign(rsaKey);
    await http().get('/probe/me').set(bearer(unknownKid)).expect(401, unauthorized('invalid token: no matching key in the JWKS'));
  });

  it('accepts what `npm run token` prints, signed with AUTH_JWT_SECRET', async () => {
    const run = await runTokenScript(['--user', 'alice', '--roles', 'accounting, modeler', '--email', 'a@x.test', '--name', 'Alice Smith'], { AUTH_JWT_SECRET: SECRET });
    expect(run.code).toBe(0);
    const printed = run.stdout.trim();
    const { payload } = await jwtVerify(printed, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ sub: 'alice', roles: ['accounting', 'modeler'], email: 'a@x.test', name: 'Alice Smith' });
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    await http().get('/probe/deploy').set(bearer(printed)).expect(200, { deployedBy: 'alice' });
  });

  it('makes `npm run token` without --user fail with usage', async () => {
    const run = await runTokenScript(['--roles', 'modeler'], { AUTH_JWT_SECRET: SECRET });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--user is required');
    expect(run.stderr).toContain('usage: npm run token -- --user <id>');
  });
});

class FakeDirectory extends GroupDirectory {
  async groupsOf(userId: string): Promise<string[]> {
    return userId === 'carol' ? ['modeler', 'sales'] : [];
  }
}

describe('identity with the development secret, a directory and an unreachable JWKS', () => {
  let app: INestApplication;
  let warn: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    // Captures (and silences) the start-up warning and the JWKS outage log.
    warn = jest.spyOn(JsonLogger.prototype, 'warn').mockImplementation(() => undefined);
    // A port that was just free and is now closed: the JWKS endpoint is down.
    const dead = createServer();
    const deadUrl = await listen(dead);
    await new Promise((resolve) => dead.close(resolve));
    app = await startApp(loadConfig({ AUTH_JWKS_URL: `${deadUrl}/jwks.json` }), IdentityModule.forRoot({ directory: FakeDirectory }));
  });

  afterAll(async () => {
    await app?.close();
    warn?.mockRestore();
  });

  it('warns at start-up that the development secret is in use', () => {
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('AUTH_JWT_SECRET is not set'));
  });

  it('adds the directory groups to the token roles', async () => {
    const carol = await signDevToken({ user: 'carol', roles: ['accounting'] }, loadConfig({}).auth.jwtSecret);
    await request(app.getHttpServer()).get('/probe/me').set(bearer(carol)).expect(200, { id: 'carol', groups: ['accounting', 'modeler', 'sales'] });
    await request(app.getHttpServer()).get('/probe/deploy').set(bearer(carol)).expect(200, { deployedBy: 'carol' });
  });

  it('answers 503, not 401, when the JWKS cannot be fetched', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setSubject('x').sign(privateKey);
    const res = await request(app.getHttpServer()).get('/probe/me').set(bearer(rs)).expect(503);
    expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'cannot verify token: the key set at AUTH_JWKS_URL is unavailable', details: [] });
  });
});

function runTokenScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // --silent keeps npm's own banner off stdout, as a user capturing the token would run it.
    const child = spawn('npm', ['run', '--silent', 'token', '--', ...args], { cwd: process.cwd(), env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
