import { Injectable } from '@nestjs/common';
import type { ProcessModel } from '../bpmn/index.js';
import type { DefinitionRow, RuntimeTransaction } from '../persistence/runtime-transaction.js';

export interface CachedDefinition {
  readonly id: string;
  readonly key: string;
  readonly version: number;
  readonly deploymentId: string;
  readonly model: ProcessModel;
}

const MAX_CACHED = 500;

/**
 * Definitions never change once deployed, so their compiled models are cached by id for the life
 * of the process (bounded; least recently used evicted). Expressions inside are compiled and cached
 * by the expressions module on first use.
 */
@Injectable()
export class ModelCache {
  private readonly byId = new Map<string, CachedDefinition>();

  async get(tx: RuntimeTransaction, definitionId: string): Promise<CachedDefinition | null> {
    const cached = this.byId.get(definitionId);
    if (cached) {
      this.byId.delete(definitionId);
      this.byId.set(definitionId, cached);
      return cached;
    }
    const row = await tx.definitionById(definitionId);
    return row ? this.remember(row) : null;
  }

  remember(row: DefinitionRow): CachedDefinition {
    const definition: CachedDefinition = {
      id: row.id,
      key: row.key,
      version: row.version,
      deploymentId: row.deploymentId,
      model: row.model as ProcessModel,
    };
    this.byId.set(row.id, definition);
    if (this.byId.size > MAX_CACHED) this.byId.delete(this.byId.keys().next().value as string);
    return definition;
  }
}
