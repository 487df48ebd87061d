// The identity surface other modules use; import from here rather than from individual files.
export { type Principal, BuiltInGroup } from './principal.js';
export { isAdmin, hasAnyGroup } from './principal-rules.js';
export { GroupDirectory, NoDirectory } from './group-directory.js';
export { Public, RequireGroups, CurrentUser, IS_PUBLIC_KEY, REQUIRED_GROUPS_KEY } from './auth.decorators.js';
export { AuthGuard } from './auth.guard.js';
export { TokenVerifier } from './token-verifier.js';
export { principalOf, optionalPrincipalOf } from './request-principal.js';
export { IdentityModule, type IdentityModuleOptions } from './identity.module.js';
export { signDevToken, type DevTokenOptions } from './dev-token.js';
export { DbGroupDirectory } from './db-group-directory.js';
export { DirectoryModule } from './directory.module.js';
