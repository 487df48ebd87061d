import { Injectable } from '@nestjs/common';
import type { ProcessModel } from '../bpmn/index.js';
import { forbidden, notFound } from '../common/domain-error.js';
import type { Command, InstanceState } from '../engine/types.js';
import { hasAnyGroup, type Principal } from '../identity/index.js';
import { DeploymentRepository } from '../persistence/deployment.repository.js';
import { InstanceRepository, type InstanceSummaryRow } from '../persistence/instance.repository.js';
import { CommandExecutor } from '../runtime/command-executor.js';
import { ModelCache } from '../runtime/model-cache.js';
import type { DiagramDto, HistoryDto, InstanceDetailDto, InstanceDto, InstanceListQuery, StartInstanceBody } from './instance.dto.js';

@Injectable()
export class InstancesService {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly models: ModelCache,
    private readonly definitions: DeploymentRepository,
    private readonly instances: InstanceRepository,
  ) {}

  async start(key: string, body: StartInstanceBody, caller: Principal): Promise<InstanceDto> {
    const entity = body.version === undefined ? await this.definitions.latestDefinition(key) : await this.definitions.definitionByVersion(key, body.version);
    if (!entity) throw notFound(body.version === undefined ? `Process definition '${key}' not found` : `Process definition '${key}' version ${body.version} not found`);
    const definition = this.models.remember({ id: entity.id, key: entity.key, version: entity.version, deploymentId: entity.deploymentId, model: entity.model });
    assertMayStart(definition.model, caller);
    const id = await this.executor.start({ definition, businessKey: body.businessKey, variables: body.variables, actor: caller.id });
    return toInstanceDto(await this.require(id));
  }

  async get(id: string, caller: Principal): Promise<InstanceDetailDto> {
    const row = await this.requireReadable(id, caller);
    const state = row.state as InstanceState;
    return {
      ...toInstanceDto(row),
      activeElements: Object.values(state.elements)
        .map((element) => ({ elementId: element.elementId, type: element.kind, since: element.since }))
        .sort((a, b) => a.since.localeCompare(b.since) || a.elementId.localeCompare(b.elementId)),
    };
  }

  async list(query: InstanceListQuery): Promise<{ items: InstanceDto[]; total: number }> {
    const { items, total } = await this.instances.list(query);
    return { items: items.map(toInstanceDto), total };
  }

  /** cancel / suspend / resume / setVariables: one engine command, then the instance as it is now. */
  async command(id: string, command: Command, caller: Principal): Promise<InstanceDto> {
    await this.require(id);
    await this.executor.execute(id, command, caller.id);
    return toInstanceDto(await this.require(id));
  }

  async history(id: string, caller: Principal): Promise<HistoryDto> {
    await this.requireReadable(id, caller);
    const rows = await this.instances.history(id);
    return {
      items: rows.map((row) => ({
        at: row.at.toISOString(),
        type: row.type,
        ...(row.elementId !== null && { elementId: row.elementId }),
        ...(row.elementInstanceId !== null && { elementInstanceId: row.elementInstanceId }),
        ...(row.actor !== null && { actor: row.actor }),
        ...(row.data !== null && { data: row.data }),
      })),
    };
  }

  async diagram(id: string, caller: Principal): Promise<DiagramDto> {
    const row = await this.requireReadable(id, caller);
    const state = row.state as InstanceState;
    const xml = (await this.instances.definitionXml(row.definitionId)) ?? '';
    return {
      xml,
      activeElementIds: [...new Set(Object.values(state.elements).map((element) => element.elementId))].sort(),
      completedElementIds: await this.instances.completedElementIds(id),
    };
  }

  /**
   * Reading one instance: integrators and modellers (and admin) read every instance; anyone else
   * the instances they started and those with a task they hold, were offered or completed.
   */
  private async requireReadable(id: string, caller: Principal): Promise<InstanceSummaryRow> {
    const row = await this.require(id);
    if (hasAnyGroup(caller, ['integrator', 'modeler'])) return row;
    // A child instance's starter is whoever's command reached the call activity: only a root's counts.
    const startedIt = row.parentInstanceId === null && row.startedBy === caller.id;
    if (startedIt || (await this.instances.hasTaskOf(id, caller.id, caller.groups))) return row;
    throw forbidden(`Process instance ${id}: only integrators, modellers, its starter and people with a task in it may read it`);
  }

  private async require(id: string): Promise<InstanceSummaryRow> {
    const row = await this.instances.find(id);
    if (!row) throw notFound(`Process instance ${id} not found`);
    return row;
  }
}

/** admin and integrator start anything; others only what the model names as its starters. */
function assertMayStart(model: ProcessModel, caller: Principal): void {
  if (hasAnyGroup(caller, ['integrator'])) return;
  if (model.starters.users.includes(caller.id) || model.starters.groups.some((group) => caller.groups.includes(group))) return;
  throw forbidden(`Starting '${model.id}' requires the group admin or integrator${model.starters.groups.length > 0 ? ` or one of: ${model.starters.groups.join(', ')}` : ''}`);
}

export function toInstanceDto(row: InstanceSummaryRow): InstanceDto {
  const state = row.state as Pick<InstanceState, 'variables'>;
  return {
    id: row.id,
    definitionKey: row.definitionKey,
    definitionVersion: row.definitionVersion,
    businessKey: row.businessKey,
    state: row.status,
    variables: state?.variables ?? {},
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt ? row.endedAt.toISOString() : null,
    parentInstanceId: row.parentInstanceId,
  };
}
