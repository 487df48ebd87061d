import { type DynamicModule, Global, Inject, Module, type ModuleMetadata, type OnModuleInit, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JsonLogger } from '../common/json-logger.js';
import { AuthGuard } from './auth.guard.js';
import { GroupDirectory, NoDirectory } from './group-directory.js';
import { TokenVerifier } from './token-verifier.js';

export interface IdentityModuleOptions {
  /** Modules that the directory's own dependencies come from (e.g. persistence). */
  readonly imports?: ModuleMetadata['imports'];
  /** Replaces the default NoDirectory as the source of each user's extra groups. */
  readonly directory?: Type<GroupDirectory>;
}

/**
 * JWT authentication for every route (global AuthGuard) and group rules. Import it once, in the
 * root module: `IdentityModule` as is, or `IdentityModule.forRoot({ imports, directory })` to plug
 * in a real GroupDirectory. Needs the global ConfigModule for APP_CONFIG.
 */
@Global()
@Module({
  providers: [
    TokenVerifier,
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: GroupDirectory, useClass: NoDirectory },
  ],
  exports: [TokenVerifier, AuthGuard, GroupDirectory],
})
export class IdentityModule implements OnModuleInit {
  private readonly logger = new JsonLogger('identity');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Dynamic metadata extends the static one, and a later provider for a token replaces an earlier one. */
  static forRoot(options: IdentityModuleOptions = {}): DynamicModule {
    return {
      module: IdentityModule,
      imports: [...(options.imports ?? [])],
      providers: options.directory ? [{ provide: GroupDirectory, useClass: options.directory }] : [],
    };
  }

  onModuleInit(): void {
    if (this.config.auth.usingDevSecret) {
      this.logger.warn('AUTH_JWT_SECRET is not set: tokens are signed with the public development secret, so anyone can mint one. Set AUTH_JWT_SECRET outside development.');
    }
    if (this.config.auth.jwksUrl !== null) {
      this.logger.info('accepting RS256/ES256 tokens from the JWKS', { jwksUrl: this.config.auth.jwksUrl });
    }
  }
}
