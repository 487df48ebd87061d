import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { IS_PUBLIC_KEY, REQUIRED_GROUPS_KEY, requiredGroupsMessage } from './auth.decorators.js';
import { toPrincipal } from './claims.js';
import { GroupDirectory } from './group-directory.js';
import type { Principal } from './principal.js';
import { hasAnyGroup } from './principal-rules.js';
import { attachPrincipal } from './request-principal.js';
import { TokenVerifier } from './token-verifier.js';

interface HeaderCarrier {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Installed globally (APP_GUARD) so every route is authenticated unless it says @Public():
 * forgetting a decorator fails closed, never open.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly directory: GroupDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    // Only HTTP carries a bearer token; any other transport added later must opt in explicitly.
    if (context.getType() !== 'http') return false;

    const request = context.switchToHttp().getRequest<HeaderCarrier>();
    const principal = await this.authenticate(request);
    attachPrincipal(request, principal);

    for (const groups of this.reflector.getAll<(readonly string[] | undefined)[]>(REQUIRED_GROUPS_KEY, targets)) {
      if (groups !== undefined && !hasAnyGroup(principal, groups)) {
        throw new DomainError('forbidden', requiredGroupsMessage(groups));
      }
    }
    return true;
  }

  private async authenticate(request: HeaderCarrier): Promise<Principal> {
    const claims = await this.verifier.verify(bearerToken(request));
    return toPrincipal(claims, await this.directory.groupsOf(claims.sub));
  }
}

function bearerToken(request: HeaderCarrier): string {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.trim() === '') {
    throw new DomainError('unauthenticated', 'missing bearer token');
  }
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  if (match === null) {
    throw new DomainError('unauthenticated', 'missing bearer token: the Authorization header must be "Bearer <token>"');
  }
  return match[1]!;
}
