import { Injectable } from '@nestjs/common';
import { conflict, notFound } from '../common/domain-error.js';
import type { Principal } from '../identity/index.js';
import { InstanceRepository, type IncidentQueryRow } from '../persistence/instance.repository.js';
import { CommandExecutor } from '../runtime/command-executor.js';
import type { IncidentDto, IncidentListQuery } from './instance.dto.js';

@Injectable()
export class IncidentsService {
  constructor(
    private readonly instances: InstanceRepository,
    private readonly executor: CommandExecutor,
  ) {}

  async list(query: IncidentListQuery): Promise<{ items: IncidentDto[]; total: number }> {
    const { items, total } = await this.instances.incidents(query);
    return { items: items.map(toIncidentDto), total };
  }

  async get(id: string): Promise<IncidentDto> {
    const row = await this.instances.incident(id);
    if (!row) throw notFound(`Incident ${id} not found`);
    return toIncidentDto(row);
  }

  async retry(id: string, retries: number | undefined, caller: Principal): Promise<IncidentDto> {
    const row = await this.instances.incident(id);
    if (!row) throw notFound(`Incident ${id} not found`);
    if (row.state !== 'open') throw conflict(`Incident ${id} is already resolved`);
    const outcome = await this.executor.execute(row.processInstanceId, { type: 'retryIncident', incidentKey: id, retries }, caller.id);
    if (outcome === 'stale') throw conflict(`Incident ${id} is already resolved`);
    return this.get(id);
  }
}

function toIncidentDto(row: IncidentQueryRow): IncidentDto {
  return {
    id: row.id,
    processInstanceId: row.processInstanceId,
    elementId: row.elementId,
    type: row.type,
    message: row.message,
    ...(row.jobKey !== null && { jobKey: row.jobKey }),
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    ...(row.resolvedAt !== null && { resolvedAt: row.resolvedAt.toISOString() }),
  };
}
