import { Injectable } from '@nestjs/common';

/**
 * Where a user's groups come from besides the token's `roles`. An abstract class doubles as the
 * injection token, so a real (e.g. database-backed) directory replaces the default by providing
 * `GroupDirectory` itself — see `IdentityModule.forRoot({ directory })`.
 */
export abstract class GroupDirectory {
  /** Groups of `userId` (the token's `sub`); [] for an unknown user. Called once per request. */
  abstract groupsOf(userId: string): Promise<string[]>;
}

/** Default until the worklist issue brings a directory: the token's roles are the only groups. */
@Injectable()
export class NoDirectory extends GroupDirectory {
  async groupsOf(): Promise<string[]> {
    return [];
  }
}
