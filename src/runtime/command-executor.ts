import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError, conflict, notFound, badInput } from '../common/domain-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { execute } from '../engine/index.js';
import { EngineError } from '../engine/errors.js';
import type { Command, InstanceState, ParentLink, Variables } from '../engine/types.js';
import { RowBatch, type InstanceRow } from '../persistence/runtime-rows.js';
import { RuntimeStore } from '../persistence/runtime-store.js';
import type { RuntimeTransaction } from '../persistence/runtime-transaction.js';
import { applyCommand, applyEffect, historyRows, type EffectOrigin, type FollowUp } from './effect-rows.js';
import { statusOf } from './instance-status.js';
import { type CachedDefinition, ModelCache } from './model-cache.js';
import { OutboxRelay } from './outbox-relay.js';

export interface StartRequest {
  readonly definition: CachedDefinition;
  readonly businessKey?: string;
  readonly variables?: Variables;
  readonly startEventId?: string;
  readonly actor: string | null;
}

export type CommandOutcome = 'applied' | 'stale';

/** One loaded instance within a command's transaction. */
interface Loaded {
  row: InstanceRow;
  definition: CachedDefinition;
  state: InstanceState | null;
  isNew: boolean;
  dirty: boolean;
}

/**
 * Runs engine commands durably: one PostgreSQL transaction per command that locks the root
 * instance of the call hierarchy, runs the pure engine, and writes the new state plus every
 * effect's rows. Commands an effect causes on a parent or child instance (call activities) run in
 * the same transaction, under the same lock. Nothing leaves the process before commit: jobs, mails
 * and signals are outbox rows.
 */
@Injectable()
export class CommandExecutor {
  constructor(
    private readonly store: RuntimeStore,
    private readonly models: ModelCache,
    private readonly clock: Clock,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a new (root) instance and runs it to its first wait states. Returns its id. */
  async start(request: StartRequest): Promise<string> {
    const instanceId = randomUUID();
    const wroteOutbox = await this.store.transaction(async (tx) => {
      const run = new CommandRun(tx, this.models, this.clock.now(), this.config.defaultTaskGroup, request.actor);
      run.create(instanceId, request.definition, { businessKey: request.businessKey ?? null, rootInstanceId: instanceId, parent: null });
      await run.run(instanceId, {
        type: 'start',
        variables: request.variables ?? {},
        businessKey: request.businessKey,
        startEventId: request.startEventId,
        initiator: request.actor ?? undefined,
      });
      return run.persist();
    });
    if (wroteOutbox) this.relay.kick();
    return instanceId;
  }

  /** Applies one command to an existing instance; 'stale' when its wait state is already gone. */
  async execute(instanceId: string, command: Command, actor: string | null = null): Promise<CommandOutcome> {
    const { outcome, wroteOutbox } = await this.store.transaction(async (tx) => {
      const root = await tx.rootOf(instanceId);
      if (root === null || !(await tx.lockInstance(root))) throw notFound(`Process instance ${instanceId} not found`);
      const run = new CommandRun(tx, this.models, this.clock.now(), this.config.defaultTaskGroup, actor);
      const outcome = await run.run(instanceId, command);
      return { outcome, wroteOutbox: await run.persist() };
    });
    // After commit, never before: what the outbox holds may now leave the process.
    if (wroteOutbox) this.relay.kick();
    return outcome;
  }
}

class CommandRun {
  private readonly loaded = new Map<string, Loaded>();
  private readonly batch = new RowBatch();

  constructor(
    private readonly tx: RuntimeTransaction,
    private readonly models: ModelCache,
    private readonly now: Date,
    private readonly defaultTaskGroup: string,
    private readonly actor: string | null,
  ) {}

  create(id: string, definition: CachedDefinition, link: { businessKey: string | null; rootInstanceId: string; parent: ParentLink | null }): void {
    this.loaded.set(id, {
      definition,
      state: null,
      isNew: true,
      dirty: true,
      row: {
        id,
        definitionId: definition.id,
        definitionKey: definition.key,
        definitionVersion: definition.version,
        businessKey: link.businessKey,
        status: 'active',
        rootInstanceId: link.rootInstanceId,
        parentInstanceId: link.parent?.instanceId ?? null,
        parentElementInstanceId: link.parent?.elementInstanceId ?? null,
        state: null,
        startedBy: this.actor,
        startedAt: this.now,
        endedAt: null,
        updatedAt: this.now,
      },
    });
  }

  /** Runs the command and every follow-up it causes (breadth first, explicit queue: no recursion). */
  async run(instanceId: string, first: Command): Promise<CommandOutcome> {
    const queue: { instanceId: string; command: Command }[] = [{ instanceId, command: first }];
    let outcome: CommandOutcome = 'applied';
    for (let index = 0; index < queue.length; index++) {
      const work = queue[index]!;
      const followUps: FollowUp[] = [];
      const applied = await this.step(work.instanceId, work.command, followUps, index === 0);
      if (!applied && index === 0) outcome = 'stale';
      for (const followUp of followUps) {
        if (followUp.kind === 'command') {
          queue.push({ instanceId: followUp.instanceId, command: followUp.command });
        } else {
          queue.push(await this.prepareChild(followUp));
        }
      }
    }
    return outcome;
  }

  private async step(instanceId: string, command: Command, followUps: FollowUp[], isFirst: boolean): Promise<boolean> {
    const instance = await this.load(instanceId);
    let result;
    try {
      result = execute(instance.definition.model, instance.state, command, { now: this.now, newId: randomUUID });
    } catch (error) {
      if (error instanceof EngineError) {
        // A follow-up that finds its wait gone (e.g. a child already canceled) changes nothing.
        if (error.code === 'stale' || !isFirst) return false;
        throw toDomainError(error);
      }
      throw error;
    }
    instance.state = result.state;
    instance.dirty = true;
    const origin: EffectOrigin = {
      instanceId,
      definitionId: instance.definition.id,
      definitionKey: instance.definition.key,
      businessKey: instance.row.businessKey,
      defaultTaskGroup: this.defaultTaskGroup,
      now: this.now,
      actor: this.actor,
    };
    applyCommand(command, origin, this.batch);
    historyRows(result.events, origin, this.batch);
    for (const effect of result.effects) applyEffect(effect, origin, this.batch, followUps);
    return true;
  }

  private async prepareChild(followUp: Extract<FollowUp, { kind: 'startChild' }>): Promise<{ instanceId: string; command: Command }> {
    const { effect, parentInstanceId } = followUp;
    const parent = await this.load(parentInstanceId);
    const definition = await this.resolveCalled(effect, parent.definition);
    if (!definition) {
      throw new DomainError('unprocessable', `Call activity '${effect.parentElementId}': no deployed process '${effect.processKey}' (${effect.binding} binding)`);
    }
    const link: ParentLink = {
      instanceId: parentInstanceId,
      elementInstanceId: effect.parentElementInstanceId,
      elementId: effect.parentElementId,
      rootInstanceId: parent.row.rootInstanceId,
    };
    this.create(effect.childInstanceId, definition, { businessKey: effect.businessKey ?? parent.row.businessKey, rootInstanceId: parent.row.rootInstanceId, parent: link });
    return {
      instanceId: effect.childInstanceId,
      command: { type: 'start', variables: effect.variables, businessKey: effect.businessKey ?? parent.row.businessKey ?? undefined, parent: link },
    };
  }

  private async resolveCalled(effect: Extract<FollowUp, { kind: 'startChild' }>['effect'], parent: CachedDefinition): Promise<CachedDefinition | null> {
    const key = effect.processKey;
    const row =
      effect.binding === 'version' && effect.version !== undefined
        ? await this.tx.definitionVersion(key, Number(effect.version))
        : effect.binding === 'deployment'
          ? await this.tx.definitionInDeployment(key, parent.deploymentId)
          : effect.binding === 'versionTag' && effect.versionTag !== undefined
            ? await this.tx.definitionWithVersionTag(key, effect.versionTag)
            : await this.tx.latestDefinition(key);
    return row ? this.models.remember(row) : null;
  }

  private async load(instanceId: string): Promise<Loaded> {
    const known = this.loaded.get(instanceId);
    if (known) return known;
    const row = await this.tx.loadInstance(instanceId);
    if (!row) throw notFound(`Process instance ${instanceId} not found`);
    const definition = await this.models.get(this.tx, row.definitionId);
    if (!definition) throw new Error(`definition ${row.definitionId} of instance ${instanceId} is missing`);
    const loaded: Loaded = { row, definition, state: row.state as InstanceState, isNew: false, dirty: false };
    this.loaded.set(instanceId, loaded);
    return loaded;
  }

  /** Writes every touched instance document, then the batched projections; true when outbox rows were written. */
  async persist(): Promise<boolean> {
    for (const instance of this.loaded.values()) {
      if (!instance.dirty || instance.state === null) continue;
      const status = statusOf(instance.state);
      const endedAt = instance.state.status === 'active' ? null : instance.row.endedAt ?? this.now;
      if (instance.isNew) {
        await this.tx.insertInstance({ ...instance.row, state: instance.state, status, endedAt, updatedAt: this.now });
      } else {
        await this.tx.updateInstance(instance.row.id, instance.state, status, endedAt, this.now);
      }
    }
    await this.tx.flush(this.batch, this.now);
    return this.batch.outbox.length > 0;
  }
}

function toDomainError(error: EngineError): DomainError {
  switch (error.code) {
    case 'instance-not-active':
    case 'instance-suspended':
    case 'not-root-instance':
    case 'unknown-incident':
      return conflict(error.message);
    case 'unknown-element-instance':
      return notFound(error.message);
    case 'unknown-start-event':
    case 'invalid-command':
      return badInput(error.message);
    case 'stale':
      return conflict(error.message);
    default:
      return new DomainError('unprocessable', error.message);
  }
}
