import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { principalOf } from './request-principal.js';

export const IS_PUBLIC_KEY = 'flowdesk:public';
export const REQUIRED_GROUPS_KEY = 'flowdesk:required-groups';

/** Exempts a route (or a whole controller) from authentication, e.g. health and docs. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * The caller needs at least one of `groups` (`admin` always passes). On a controller and on a
 * method both apply: a method cannot loosen its controller's rule by accident.
 */
export function RequireGroups(...groups: [string, ...string[]]) {
  if (groups.length === 0 || groups.some((group) => typeof group !== 'string' || group === '')) {
    throw new Error('@RequireGroups() needs at least one non-empty group name');
  }
  return applyDecorators(
    SetMetadata(REQUIRED_GROUPS_KEY, Object.freeze([...groups])),
    ApiForbiddenResponse({ description: requiredGroupsMessage(groups) }),
  );
}

export function requiredGroupsMessage(groups: readonly string[]): string {
  return `requires one of the groups: ${groups.join(', ')}`;
}

/** Injects the authenticated Principal into a handler parameter. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  principalOf(context.switchToHttp().getRequest<object>()),
);
