import { base64url, generateKeyPair, SignJWT } from 'jose';
import { DomainError } from '../common/domain-error.js';
import { loadConfig } from '../config/config.js';
import { signDevToken } from './dev-token.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'unit-test-secret-0123456789';
const verifier = new TokenVerifier(loadConfig({ AUTH_JWT_SECRET: SECRET }));
const key = new TextEncoder().encode(SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function messageOf(token: string): Promise<string> {
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('unauthenticated');
  return (error as DomainError).message;
}

const hs256 = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' });

describe('TokenVerifier (HS256)', () => {
  it('accepts a dev token and returns its claims', async () => {
    const token = await signDevToken({ user: 'alice', roles: ['modeler'], email: 'a@x.test', name: 'Alice' }, SECRET);
    await expect(verifier.verify(token)).resolves.toEqual({ sub: 'alice', roles: ['modeler'], email: 'a@x.test', name: 'Alice' });
  });

  it('names the reason a token is refused', async () => {
    expect(await messageOf(await signDevToken({ user: 'a' }, 'another-secret-0123456789'))).toBe('invalid token: bad signature');
    expect(await messageOf(await hs256({ sub: 'a' }).setExpirationTime(nowSeconds() - 120).sign(key))).toBe('invalid token: expired');
    expect(await messageOf(await hs256({ sub: 'a' }).setNotBefore(nowSeconds() + 120).sign(key))).toBe('invalid token: not yet valid');
    expect(await messageOf(await hs256({ roles: [] }).sign(key))).toBe('invalid token: missing sub claim');
    expect(await messageOf('not-a-jwt')).toBe('invalid token: malformed');
  });

  it('tolerates a few seconds of clock drift', async () => {
    const token = await hs256({ sub: 'a' }).setExpirationTime(nowSeconds() - 5).setNotBefore(nowSeconds() + 5).sign(key);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'a' });
  });

  it('refuses alg none and algorithms other than HS256/RS256/ES256', async () => {
    const payload = base64url.encode(JSON.stringify({ sub: 'a', roles: ['admin'] }));
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${payload}.`;
    expect(await messageOf(unsigned)).toBe('invalid token: algorithm none is not accepted (use HS256, RS256 or ES256)');
    const hs512 = await new SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS512' }).sign(key);
    expect(await messageOf(hs512)).toContain('algorithm HS512 is not accepted');
  });

  it('refuses RS256 when no JWKS is configured', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    expect(await messageOf(token)).toBe('invalid token: algorithm RS256 needs AUTH_JWKS_URL, which is not configured');
  });
});
