import { Injectable } from '@nestjs/common';
import { DirectoryRepository } from '../persistence/directory.repository.js';
import { GroupDirectory } from './group-directory.js';

/**
 * The directory kept in PostgreSQL (users, groups, memberships managed through /api/users and
 * /api/groups or the seed file). Read on every request, uncached: a membership change applies to
 * the very next request on every replica.
 */
@Injectable()
export class DbGroupDirectory extends GroupDirectory {
  constructor(private readonly directory: DirectoryRepository) {
    super();
  }

  groupsOf(userId: string): Promise<string[]> {
    return this.directory.groupsOf(userId);
  }
}
