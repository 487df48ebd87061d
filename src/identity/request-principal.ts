import type { Principal } from './principal.js';

// Stored under a symbol rather than `request.user` so no other middleware (passport, a proxy
// plugin) can set or read it by accident, and no global Express type augmentation is needed.
const PRINCIPAL = Symbol('flowdesk.principal');

type Carrier = { [PRINCIPAL]?: Principal };

export function attachPrincipal(request: object, principal: Principal): void {
  (request as Carrier)[PRINCIPAL] = principal;
}

/** The caller set by AuthGuard; throws on a route that skipped authentication (a programming error). */
export function principalOf(request: object): Principal {
  const principal = (request as Carrier)[PRINCIPAL];
  if (principal === undefined) {
    throw new Error('No authenticated principal on this request: is the route @Public() or the AuthGuard not installed?');
  }
  return principal;
}

/** Like principalOf, for code that also serves public routes. */
export function optionalPrincipalOf(request: object): Principal | undefined {
  return (request as Carrier)[PRINCIPAL];
}
