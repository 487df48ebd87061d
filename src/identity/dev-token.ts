import { SignJWT } from 'jose';

export interface DevTokenOptions {
  readonly user: string;
  readonly roles?: readonly string[];
  readonly email?: string;
  readonly name?: string;
  /** A jose time span such as "12h", "30m", "7d". */
  readonly expiresIn?: string;
}

export const DEFAULT_DEV_TOKEN_EXPIRY = '12h';

/** Signs an HS256 token with the claims AuthGuard reads; used by `npm run token` and the tests. */
export async function signDevToken(options: DevTokenOptions, secret: string): Promise<string> {
  if (options.user.trim() === '') throw new Error('user must not be empty');
  const claims: Record<string, unknown> = { roles: [...(options.roles ?? [])] };
  if (options.email !== undefined) claims.email = options.email;
  if (options.name !== undefined) claims.name = options.name;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.user)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? DEFAULT_DEV_TOKEN_EXPIRY)
    .sign(new TextEncoder().encode(secret));
}
