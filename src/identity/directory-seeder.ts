import { readFile } from 'node:fs/promises';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DirectoryRepository } from '../persistence/directory.repository.js';
import { type DirectorySeed, parseDirectorySeed } from './directory-seed.js';

/** Applies DIRECTORY_SEED_FILE at start-up (after migrations). A bad file stops start-up, naming every problem. */
@Injectable()
export class DirectorySeeder implements OnApplicationBootstrap {
  private readonly logger = new JsonLogger('directory');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: DirectoryRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.directorySeedFile;
    if (file === null) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`DIRECTORY_SEED_FILE ${file} cannot be read: ${(error as Error).message}`);
    }
    const seed = parseDirectorySeed(text, file);
    await this.apply(seed);
    this.logger.info('directory seed applied', { file, users: seed.users.length, groups: seed.groups.length });
  }

  /** Idempotent: upserts, never deletes. */
  async apply(seed: DirectorySeed): Promise<void> {
    const named = new Set(seed.groups.map((group) => group.id));
    for (const group of seed.groups) await this.directory.upsertGroup(group);
    for (const id of new Set(seed.users.flatMap((user) => user.groups))) if (!named.has(id)) await this.directory.upsertGroup({ id });
    for (const user of seed.users) {
      await this.directory.upsertUser(user);
      for (const group of user.groups) await this.directory.addMember(group, user.id);
    }
  }
}
