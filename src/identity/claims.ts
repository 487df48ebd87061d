import type { JWTPayload } from 'jose';
import { DomainError } from '../common/domain-error.js';
import type { Principal } from './principal.js';

/** What Flowdesk reads from a verified token (API.md: `sub`, `roles`, optional `email`, `name`). */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly email?: string;
  readonly name?: string;
}

export const invalidToken = (reason: string) => new DomainError('unauthenticated', `invalid token: ${reason}`);

/**
 * Reads the claims of a token whose signature and times are already verified. A malformed
 * `roles` is refused rather than ignored: silently dropping it would hide an IdP misconfiguration
 * behind confusing 403s.
 */
export function readClaims(payload: JWTPayload): TokenClaims {
  const { sub, roles, email, name } = payload;
  if (typeof sub !== 'string' || sub.trim() === '') throw invalidToken('missing sub claim');
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw invalidToken('roles claim must be an array of strings');
  }
  return {
    sub,
    roles: ((roles as string[] | undefined) ?? []).map((role) => role.trim()).filter((role) => role !== ''),
    // Optional profile claims are informative only; a wrong type is dropped, not fatal.
    ...(typeof email === 'string' && email !== '' ? { email } : {}),
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
  };
}

/** Merges token roles with directory groups (order kept, duplicates dropped) into a frozen Principal. */
export function toPrincipal(claims: TokenClaims, directoryGroups: readonly string[]): Principal {
  const groups = Object.freeze([...new Set([...claims.roles, ...directoryGroups])]);
  return Object.freeze({
    id: claims.sub,
    groups,
    ...(claims.email !== undefined ? { email: claims.email } : {}),
    ...(claims.name !== undefined ? { name: claims.name } : {}),
  });
}
