import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DomainError } from '../common/domain-error.js';
import { JsonLogger } from '../common/json-logger.js';
import { invalidToken, readClaims, type TokenClaims } from './claims.js';

/** Tolerates small clock drift between the IdP and this host on `exp`/`nbf`/`iat`. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Asymmetric algorithms accepted from the JWKS; anything else (incl. `none`) is refused. */
const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * Verifies bearer tokens. The algorithm decides the key source *before* verification: HS256 only
 * ever uses the shared secret and RS256/ES256 only the JWKS, so a token cannot pick its own key
 * (the classic "HS256 signed with the RSA public key" confusion).
 */
@Injectable()
export class TokenVerifier {
  private readonly logger = new JsonLogger('identity');
  private readonly secret: Uint8Array;
  private readonly jwksUrl: URL | null;
  private keySet: KeySet | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secret = new TextEncoder().encode(config.auth.jwtSecret);
    this.jwksUrl = config.auth.jwksUrl === null ? null : new URL(config.auth.jwksUrl);
  }

  async verify(token: string): Promise<TokenClaims> {
    const alg = this.algorithmOf(token);
    let payload: JWTPayload;
    try {
      payload = alg === 'HS256' ? await this.verifyHs256(token) : await this.verifyWithJwks(token, alg);
    } catch (error) {
      throw this.toDomainError(error);
    }
    return readClaims(payload);
  }

  private algorithmOf(token: string): string {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw invalidToken('malformed');
    }
    if (alg === 'HS256') return alg;
    if (JWKS_ALGORITHMS.includes(alg as (typeof JWKS_ALGORITHMS)[number])) {
      if (this.jwksUrl === null) throw invalidToken(`algorithm ${String(alg)} needs AUTH_JWKS_URL, which is not configured`);
      return alg as string;
    }
    throw invalidToken(`algorithm ${typeof alg === 'string' ? alg : 'missing'} is not accepted (use HS256, RS256 or ES256)`);
  }

  private async verifyHs256(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], clockTolerance: CLOCK_TOLERANCE_SECONDS });
    return payload;
  }

  private async verifyWithJwks(token: string, alg: string): Promise<JWTPayload> {
    // Created lazily and kept: jose caches the fetched keys and refetches (rate-limited) on an unknown kid.
    this.keySet ??= createRemoteJWKSet(this.jwksUrl!);
    const { payload } = await jwtVerify(token, this.keySet, { algorithms: [alg], clockTolerance: CLOCK_TOLERANCE_SECONDS });
    return payload;
  }

  private toDomainError(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    if (error instanceof errors.JWTExpired) return invalidToken('expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      return invalidToken(error.claim === 'nbf' ? 'not yet valid' : `${error.claim} claim ${error.reason}`);
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) return invalidToken('bad signature');
    if (error instanceof errors.JWKSNoMatchingKey) return invalidToken('no matching key in the JWKS');
    if (error instanceof errors.JWKSMultipleMatchingKeys) return invalidToken('no kid header and several JWKS keys match');
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return invalidToken('malformed');
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return invalidToken('unsupported key or algorithm');
    // What remains is the JWKS endpoint failing (unreachable, timeout, not JSON): the caller's token
    // may be fine, so this is our outage (503), not their 401.
    this.logger.warn('JWKS unavailable', { jwksUrl: this.jwksUrl?.href, error: error instanceof Error ? error.message : String(error) });
    return new DomainError('unavailable', 'cannot verify token: the key set at AUTH_JWKS_URL is unavailable');
  }
}
