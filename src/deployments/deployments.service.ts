import { Injectable } from '@nestjs/common';
import { decodeXml, type DeploymentProblem, type DeploymentWarning, type ProcessModel } from '../bpmn/index.js';
import { badInput, notFound, type ErrorDetail } from '../common/domain-error.js';
import { StartEventSubscriptions } from '../events/start-event-subscriptions.js';
import type { DeploymentEntity } from '../persistence/entities/deployment.entity.js';
import type { ProcessDefinitionEntity } from '../persistence/entities/process-definition.entity.js';
import { DeploymentRepository, type NewDefinition } from '../persistence/deployment.repository.js';
import { StartTimers } from '../timers/start-timers.js';
import { BpmnParser } from './bpmn-parser.provider.js';
import type { DeploymentDto, ProcessDefinitionDto } from './deployment.dto.js';

export interface UploadedModel {
  readonly name: string;
  /** The file as uploaded; decoded by its declared encoding (ISO-8859-1 models exist). */
  readonly bytes: Uint8Array;
}

interface DecodedModel {
  readonly name: string;
  readonly xml: string;
}

export interface DeploymentRequest {
  readonly name?: string;
  readonly resources: readonly UploadedModel[];
  readonly deployedBy: string | null;
}

@Injectable()
export class DeploymentsService {
  constructor(
    private readonly parser: BpmnParser,
    private readonly repository: DeploymentRepository,
    private readonly startEvents: StartEventSubscriptions,
    private readonly startTimers: StartTimers,
  ) {}

  /**
   * Parses every resource (all problems of all files reported together), then stores the
   * deployment; keys whose normalised XML equals their latest version get no new version.
   */
  async deploy(request: DeploymentRequest): Promise<DeploymentDto> {
    if (request.resources.length === 0) throw badInput('No BPMN file in the request: send multipart "file" parts or an application/xml body');
    const problems: ErrorDetail[] = [];
    const several = request.resources.length > 1;
    const decoded: DecodedModel[] = [];
    for (const resource of request.resources) {
      const text = decodeXml(resource.bytes);
      if (text.ok) decoded.push({ name: resource.name, xml: text.text });
      else problems.push(withResource({ message: text.message }, resource.name, several));
    }
    const parsed = await Promise.all(decoded.map(async (resource) => ({ resource, result: await this.parser.parse(resource.xml) })));

    const definitions: NewDefinition[] = [];
    const warnings: DeploymentWarning[] = [];
    for (const { resource, result } of parsed) {
      if (!result.ok) {
        problems.push(...result.problems.map((problem) => withResource(problem, resource.name, several)));
        continue;
      }
      warnings.push(...result.warnings);
      for (const model of result.processes) {
        // Timer start events are scheduled right after the deploy: each must have a first due time.
        problems.push(...this.startTimers.problems(model).map((problem) => withResource(problem, resource.name, several)));
        definitions.push(toNewDefinition(model, resource, result.xmlHash));
      }
    }
    problems.push(...duplicateKeyProblems(definitions));
    if (problems.length > 0) {
      throw badInput(problems.length === 1 ? `Invalid BPMN model: ${problems[0]!.message}` : `Invalid BPMN model: ${problems.length} problems`, problems);
    }

    const name = request.name ?? request.resources[0]!.name;
    const stored = await this.repository.deploy({ name, createdBy: request.deployedBy, warnings }, definitions);
    // Message/signal start events of a new latest version replace the previous version's (src/events).
    const newKeys = stored.definitions.filter((d) => d.isNew).map((d) => d.definition.key);
    await this.startEvents.afterDeploy(newKeys);
    // Timer start events likewise: the new version's replace the previous version's (src/timers/start-timers.ts).
    await this.startTimers.afterDeploy(newKeys);
    return toDeploymentDto(
      stored.deployment,
      stored.definitions.map(({ definition, isNew }) => ({ definition, isNew })),
    );
  }

  async getDeployment(id: string): Promise<DeploymentDto> {
    const deployment = await this.repository.findDeployment(id);
    if (!deployment) throw notFound(`Deployment ${id} not found`);
    const definitions = await this.repository.definitionsByIds(deployment.definitionIds);
    return toDeploymentDto(
      deployment,
      definitions.map((definition) => ({ definition, isNew: definition.deploymentId === deployment.id })),
    );
  }

  async listDeployments(page: number, size: number): Promise<{ items: DeploymentDto[]; total: number }> {
    const { items, total } = await this.repository.listDeployments(page, size);
    const definitions = await this.repository.definitionsByIds(items.flatMap((d) => d.definitionIds));
    const byId = new Map(definitions.map((d) => [d.id, d]));
    return {
      total,
      items: items.map((deployment) =>
        toDeploymentDto(
          deployment,
          deployment.definitionIds.flatMap((id) => {
            const definition = byId.get(id);
            return definition ? [{ definition, isNew: definition.deploymentId === deployment.id }] : [];
          }),
        ),
      ),
    };
  }

  async listDefinitions(query: { key?: string; latest?: boolean; page: number; size: number }): Promise<{ items: ProcessDefinitionDto[]; total: number }> {
    const { items, total } = await this.repository.listDefinitions({ key: query.key, latestOnly: query.latest === true, page: query.page, size: query.size });
    return { items: items.map(toDefinitionDto), total };
  }

  async getDefinition(key: string, version?: number): Promise<ProcessDefinitionDto> {
    return toDefinitionDto(await this.findDefinition(key, version));
  }

  async getXml(key: string, version?: number): Promise<string> {
    return (await this.findDefinition(key, version)).xml;
  }

  private async findDefinition(key: string, version?: number): Promise<ProcessDefinitionEntity> {
    const definition = version === undefined ? await this.repository.latestDefinition(key) : await this.repository.definitionByVersion(key, version);
    if (!definition) {
      throw notFound(version === undefined ? `Process definition '${key}' not found` : `Process definition '${key}' version ${version} not found`);
    }
    return definition;
  }
}

function toNewDefinition(model: ProcessModel, resource: DecodedModel, xmlHash: string): NewDefinition {
  return { key: model.id, name: model.name ?? null, resourceName: resource.name, xml: resource.xml, xmlHash, model };
}

function withResource(problem: DeploymentProblem, resourceName: string, several: boolean): ErrorDetail & { resource?: string } {
  return several ? { ...problem, resource: resourceName } : { ...problem };
}

function duplicateKeyProblems(definitions: readonly NewDefinition[]): ErrorDetail[] {
  const seen = new Map<string, string>();
  const problems: ErrorDetail[] = [];
  for (const definition of definitions) {
    const first = seen.get(definition.key);
    if (first !== undefined) {
      problems.push({ elementId: definition.key, message: `process '${definition.key}' is defined in both ${first} and ${definition.resourceName}` });
    } else {
      seen.set(definition.key, definition.resourceName);
    }
  }
  return problems;
}

function toDeploymentDto(deployment: DeploymentEntity, definitions: { definition: ProcessDefinitionEntity; isNew: boolean }[]): DeploymentDto {
  return {
    id: deployment.id,
    name: deployment.name,
    createdAt: deployment.createdAt.toISOString(),
    definitions: definitions.map(({ definition, isNew }) => ({
      id: definition.id,
      key: definition.key,
      version: definition.version,
      name: definition.name,
      isNew,
    })),
    warnings: deployment.warnings,
  };
}

function toDefinitionDto(definition: ProcessDefinitionEntity): ProcessDefinitionDto {
  return {
    id: definition.id,
    key: definition.key,
    version: definition.version,
    name: definition.name,
    deploymentId: definition.deploymentId,
    resourceName: definition.resourceName,
    createdAt: definition.createdAt.toISOString(),
  };
}
