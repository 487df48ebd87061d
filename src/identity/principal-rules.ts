import { BuiltInGroup, type Principal } from './principal.js';

// The one place that says "admin passes everything", so no feature re-implements (or forgets) it.

export function isAdmin(principal: Principal): boolean {
  return principal.groups.includes(BuiltInGroup.Admin);
}

/** True when the principal is an admin or holds at least one of `groups`. */
export function hasAnyGroup(principal: Principal, groups: readonly string[]): boolean {
  return isAdmin(principal) || groups.some((group) => principal.groups.includes(group));
}
