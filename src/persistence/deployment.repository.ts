import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DeploymentEntity } from './entities/deployment.entity.js';
import { ProcessDefinitionEntity } from './entities/process-definition.entity.js';

export interface NewDefinition {
  readonly key: string;
  readonly name: string | null;
  readonly resourceName: string;
  readonly xml: string;
  readonly xmlHash: string;
  readonly model: object;
}

export interface DeployedDefinition {
  readonly definition: ProcessDefinitionEntity;
  readonly isNew: boolean;
}

export interface DefinitionQuery {
  readonly key?: string;
  readonly latestOnly: boolean;
  readonly page: number;
  readonly size: number;
}

@Injectable()
export class DeploymentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores a deployment and a new version for every key whose XML changed since its latest
   * version. Per-key advisory locks (taken in key order, so two uploads cannot deadlock) make
   * concurrent deploys of one key produce consecutive versions instead of a unique-index clash.
   */
  async deploy(
    deployment: { name: string; createdBy: string | null; warnings: { elementId: string; message: string }[] },
    definitions: readonly NewDefinition[],
  ): Promise<{ deployment: DeploymentEntity; definitions: DeployedDefinition[] }> {
    return this.dataSource.transaction(async (manager) => {
      const keys = [...new Set(definitions.map((d) => d.key))].sort();
      for (const key of keys) {
        await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`definition:${key}`]);
      }
      const deploymentId = randomUUID();
      const results: DeployedDefinition[] = [];
      const pending: ProcessDefinitionEntity[] = [];
      for (const candidate of definitions) {
        const latest = await this.latestIn(manager, candidate.key);
        if (latest && latest.xmlHash === candidate.xmlHash) {
          results.push({ definition: latest, isNew: false });
          continue;
        }
        const entity = manager.create(ProcessDefinitionEntity, {
          id: randomUUID(),
          key: candidate.key,
          version: (latest?.version ?? 0) + 1,
          name: candidate.name,
          deploymentId,
          resourceName: candidate.resourceName,
          xml: candidate.xml,
          xmlHash: candidate.xmlHash,
          model: candidate.model,
        });
        pending.push(entity);
        results.push({ definition: entity, isNew: true });
      }
      const saved = manager.create(DeploymentEntity, {
        id: deploymentId,
        name: deployment.name,
        createdBy: deployment.createdBy,
        warnings: deployment.warnings,
        definitionIds: results.map((r) => r.definition.id),
      });
      await manager.insert(DeploymentEntity, saved);
      if (pending.length > 0) await manager.insert(ProcessDefinitionEntity, pending);
      // Re-read so timestamps come from the database, as later reads will show them.
      const stored = await manager.findOneByOrFail(DeploymentEntity, { id: deploymentId });
      const fresh = await manager.findBy(ProcessDefinitionEntity, pending.map((p) => ({ id: p.id })));
      const byId = new Map(fresh.map((d) => [d.id, d]));
      return {
        deployment: stored,
        definitions: results.map((r) => ({ ...r, definition: byId.get(r.definition.id) ?? r.definition })),
      };
    });
  }

  findDeployment(id: string): Promise<DeploymentEntity | null> {
    return this.dataSource.getRepository(DeploymentEntity).findOneBy({ id });
  }

  async listDeployments(page: number, size: number): Promise<{ items: DeploymentEntity[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(DeploymentEntity).findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (page - 1) * size,
      take: size,
    });
    return { items, total };
  }

  definitionsByIds(ids: readonly string[]): Promise<ProcessDefinitionEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(ProcessDefinitionEntity)
      .createQueryBuilder('d')
      .where('d.id = ANY(:ids)', { ids })
      .orderBy('d.key')
      .addOrderBy('d.version')
      .getMany();
  }

  latestDefinition(key: string): Promise<ProcessDefinitionEntity | null> {
    return this.latestIn(this.dataSource.manager, key);
  }

  definitionByVersion(key: string, version: number): Promise<ProcessDefinitionEntity | null> {
    // Versions are 32-bit: a larger number names no version (a 404), not a query PostgreSQL refuses.
    if (!Number.isSafeInteger(version) || version > 2_147_483_647) return Promise.resolve(null);
    return this.dataSource.getRepository(ProcessDefinitionEntity).findOneBy({ key, version });
  }

  definitionById(id: string): Promise<ProcessDefinitionEntity | null> {
    return this.dataSource.getRepository(ProcessDefinitionEntity).findOneBy({ id });
  }

  async listDefinitions(query: DefinitionQuery): Promise<{ items: ProcessDefinitionEntity[]; total: number }> {
    const builder = this.dataSource
      .getRepository(ProcessDefinitionEntity)
      .createQueryBuilder('d')
      .select(['d.id', 'd.key', 'd.version', 'd.name', 'd.deploymentId', 'd.resourceName', 'd.createdAt']);
    if (query.key !== undefined) builder.andWhere('d.key = :key', { key: query.key });
    if (query.latestOnly) {
      builder.andWhere('d.version = (SELECT max(v.version) FROM process_definition v WHERE v.key = d.key)');
    }
    const [items, total] = await builder
      .orderBy('d.key', 'ASC')
      .addOrderBy('d.version', 'DESC')
      .skip((query.page - 1) * query.size)
      .take(query.size)
      .getManyAndCount();
    return { items, total };
  }

  private latestIn(manager: EntityManager, key: string): Promise<ProcessDefinitionEntity | null> {
    return manager.getRepository(ProcessDefinitionEntity).findOne({ where: { key }, order: { version: 'DESC' } });
  }
}
