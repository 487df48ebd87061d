import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DeploymentsService } from './deployments.service.js';

/**
 * Deploys the models in PROCESSES_DIR at start-up with the same idempotent rule as uploads,
 * one deployment per file so a broken file is reported by name and does not hold back the others.
 */
@Injectable()
export class ProcessFolderDeployer implements OnApplicationBootstrap {
  private readonly logger = new JsonLogger('processes');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deployments: DeploymentsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const directory = path.resolve(this.config.processesDir);
    let names: string[];
    try {
      names = (await readdir(directory)).filter((name) => /\.(bpmn2?|xml)$/i.test(name)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.info('no processes folder, nothing deployed at start-up', { directory });
        return;
      }
      throw error;
    }
    for (const name of names) {
      await this.deployFile(directory, name);
    }
  }

  private async deployFile(directory: string, name: string): Promise<void> {
    try {
      const bytes = await readFile(path.join(directory, name));
      const deployment = await this.deployments.deploy({ name, resources: [{ name, bytes }], deployedBy: null });
      for (const definition of deployment.definitions) {
        this.logger.info(definition.isNew ? 'deployed' : 'unchanged', { file: name, key: definition.key, version: definition.version });
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // A broken model must not stop the service (the other models still run), but it is loud.
      this.logger.error('model in the processes folder was refused', { file: name, reason: error.message, details: error.details });
    }
  }
}
