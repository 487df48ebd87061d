import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError, conflict, notFound, badInput } from '../common/domain-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { execute } from '../engine/index.js';
import { EngineError } from '../engine/errors.js';
import type { Command, InstanceState, ParentLink, Variables } from '../engine/types.js';
import { subscriptionLockNames, type OpeningSubscription } from '../persistence/event-statements.js';
import { RowBatch, type InstanceRow, type SubscriptionRow } from '../persistence/runtime-rows.js';
import { RuntimeStore } from '../persistence/runtime-store.js';
import type { RuntimeTransaction } from '../persistence/runtime-transaction.js';
import { applyCommand, applyEffect, historyRows, type EffectOrigin, type FollowUp } from './effect-rows.js';
import { statusOf } from './instance-status.js';
import { type CachedDefinition, ModelCache } from './model-cache.js';
import { OutboxRelay } from './outbox-relay.js';
import { TimerWakeups } from './timer-wakeups.js';

export interface StartRequest {
  readonly definition: CachedDefinition;
  readonly businessKey?: string;
  readonly variables?: Variables;
  readonly startEventId?: string;
  readonly actor: string | null;
}

export type CommandOutcome = 'applied' | 'stale';

/**
 * Several commands in ONE transaction (src/events: a message correlation with its dedupe row, a
 * chunk of a signal broadcast). Each `execute`/`start` is isolated: when it throws, the session is
 * as before the call (nothing of it is written) and the caller decides whether to go on.
 */
export interface CommandSession {
  readonly tx: RuntimeTransaction;
  readonly now: Date;
  /** Locks these root instances in one statement (id order) and loads them; returns the ids that exist. */
  lockRoots(rootInstanceIds: readonly string[]): Promise<string[]>;
  /** Runs a command on an instance, locking its root first unless this session already holds it. */
  execute(instanceId: string, command: Command): Promise<CommandOutcome>;
  /** Starts a root instance (e.g. a message or signal start event). */
  start(request: Omit<StartRequest, 'actor'>): Promise<string>;
}

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
    private readonly wakeups: TimerWakeups,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a new (root) instance and runs it to its first wait states. Returns its id. */
  async start(request: StartRequest): Promise<string> {
    const instanceId = randomUUID();
    const persisted = await this.store.transaction(async (tx) => {
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
    this.afterCommit(persisted);
    return instanceId;
  }

  /** Runs `work` with a CommandSession in one transaction; everything it did is written at commit. */
  async session<T>(work: (session: CommandSession) => Promise<T>, actor: string | null = null): Promise<T> {
    const { result, persisted } = await this.store.transaction(async (tx) => {
      const run = new CommandRun(tx, this.models, this.clock.now(), this.config.defaultTaskGroup, actor);
      const result = await work(run.session());
      return { result, persisted: await run.persist() };
    });
    this.afterCommit(persisted);
    return result;
  }

  /** Applies one command to an existing instance; 'stale' when its wait state is already gone. */
  async execute(instanceId: string, command: Command, actor: string | null = null): Promise<CommandOutcome> {
    const { outcome, persisted } = await this.store.transaction(async (tx) => {
      const run = new CommandRun(tx, this.models, this.clock.now(), this.config.defaultTaskGroup, actor);
      await run.lockRootOf(instanceId);
      const outcome = await run.run(instanceId, command);
      return { outcome, persisted: await run.persist() };
    });
    this.afterCommit(persisted);
    return outcome;
  }

  /** After commit, never before: what the outbox holds may now leave the process; a new timer may be due soon. */
  private afterCommit(persisted: Persisted): void {
    if (persisted.wroteOutbox) this.relay.kick();
    if (persisted.earliestTimer !== null) this.wakeups.scheduled(persisted.earliestTimer);
  }
}

/** What a committed run leaves for after the commit. */
interface Persisted {
  readonly wroteOutbox: boolean;
  readonly earliestTimer: Date | null;
}

/** A queued command; `message` when it delivers a buffered message (recorded once it applied). */
interface Work {
  instanceId: string;
  command: Command;
  message?: { id: string; instanceId: string; elementId: string };
}

/** What `restore` needs to undo an isolated command of a session. */
interface Checkpoint {
  loaded: Map<string, Loaded>;
  lengths: Map<string, number>;
  subscriptionsSeen: number;
  awaitingBuffer: SubscriptionRow[];
  claimed: Set<string>;
}

class CommandRun {
  private loaded = new Map<string, Loaded>();
  private readonly batch = new RowBatch();
  /** Root instances this run holds the lock of (sessions). */
  private readonly locked = new Set<string>();
  /** batch.subscriptions[0..subscriptionsSeen) were offered to the message buffer. */
  private subscriptionsSeen = 0;
  /** Message subscriptions to offer to the buffer (again) once the queue is empty. */
  private awaitingBuffer: SubscriptionRow[] = [];
  /** Buffered messages claimed by queued deliveries of this run. */
  private claimed = new Set<string>();

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
    const queue: Work[] = [{ instanceId, command: first }];
    let outcome: CommandOutcome = 'applied';
    for (let index = 0; index < queue.length; index++) {
      const work = queue[index]!;
      const followUps: FollowUp[] = [];
      const applied = await this.step(work.instanceId, work.command, followUps, index === 0);
      if (!applied && index === 0) outcome = 'stale';
      // A resumed instance's message subscriptions count as opening: messages buffered while it was suspended reach them.
      if (applied && work.command.type === 'resume') this.offerOpenMessageSubscriptions(work.instanceId);
      if (work.message) {
        if (applied) this.batch.correlatedMessages.push(work.message);
        else this.claimed.delete(work.message.id);
      }
      for (const followUp of followUps) {
        if (followUp.kind === 'command') {
          queue.push({ instanceId: followUp.instanceId, command: followUp.command });
        } else {
          queue.push(await this.prepareChild(followUp));
        }
      }
      // Message subscriptions opened above take what the buffer holds for them, in this same
      // transaction: a message buffered while the subscription was being opened is never lost.
      if (index === queue.length - 1) queue.push(...(await this.deliverBuffered()));
    }
    return outcome;
  }

  /**
   * Offers the message subscriptions this run opened (and still has open) to the message buffer,
   * under the advisory locks that serialise them with POST /api/messages (event-statements.ts).
   * One delivery per instance per round, the oldest buffered message first: a delivery may close
   * that instance's other subscriptions (event-based gateway), which are offered again afterwards.
   */
  private async deliverBuffered(): Promise<Work[]> {
    for (; this.subscriptionsSeen < this.batch.subscriptions.length; this.subscriptionsSeen++) {
      const subscription = this.batch.subscriptions[this.subscriptionsSeen]!;
      if (subscription.eventType === 'message' && subscription.processInstanceId !== null) this.awaitingBuffer.push(subscription);
    }
    const open = this.awaitingBuffer.filter((subscription) => this.isOpen(subscription));
    this.awaitingBuffer = [];
    if (open.length === 0) return [];
    const byInstance = new Map<string, { subscription: SubscriptionRow; offer: OpeningSubscription }[]>();
    for (const subscription of open) {
      const instanceId = subscription.processInstanceId!;
      const offer: OpeningSubscription = {
        name: subscription.name,
        correlationKey: subscription.correlationKey,
        businessKey: this.loaded.get(instanceId)?.row.businessKey ?? null,
        processInstanceId: instanceId,
      };
      byInstance.set(instanceId, [...(byInstance.get(instanceId) ?? []), { subscription, offer }]);
    }
    await this.tx.events.lockNames([...byInstance.values()].flat().flatMap(({ offer }) => subscriptionLockNames(offer)));
    const work: Work[] = [];
    for (const [instanceId, offers] of byInstance) {
      let best: { subscription: SubscriptionRow; message: { id: string; variables: Record<string, unknown>; createdAt: Date } } | null = null;
      for (const { subscription, offer } of offers) {
        const message = await this.tx.events.oldestBuffered(offer, this.now, [...this.claimed]);
        if (message && (best === null || message.createdAt < best.message.createdAt)) best = { subscription, message };
      }
      if (best === null) continue;
      this.claimed.add(best.message.id);
      work.push({
        instanceId,
        command: { type: 'deliverMessage', subscriptionKey: best.subscription.key, variables: best.message.variables },
        message: { id: best.message.id, instanceId, elementId: best.subscription.elementId },
      });
      // Offered again after this delivery: the others, and this one if it stays open (non-interrupting).
      this.awaitingBuffer.push(...offers.map(({ subscription }) => subscription));
    }
    return work;
  }

  private offerOpenMessageSubscriptions(instanceId: string): void {
    const loaded = this.loaded.get(instanceId);
    if (!loaded?.state) return;
    for (const [key, ref] of Object.entries(loaded.state.waits)) {
      if (ref.kind !== 'message') continue;
      this.awaitingBuffer.push({
        key,
        processInstanceId: instanceId,
        definitionId: loaded.definition.id,
        eventType: 'message',
        name: ref.name,
        correlationKey: ref.correlationKey ?? null,
        elementId: ref.elementId,
        elementInstanceId: ref.elementInstanceId,
        interrupting: ref.interrupting,
        createdAt: this.now,
      });
    }
  }

  private isOpen(subscription: SubscriptionRow): boolean {
    const state = this.loaded.get(subscription.processInstanceId ?? '')?.state;
    return state !== undefined && state !== null && state.status === 'active' && state.waits[subscription.key] !== undefined;
  }

  /** The CommandSession view of this run (CommandExecutor#session). */
  session(): CommandSession {
    return {
      tx: this.tx,
      now: this.now,
      lockRoots: (ids) => this.lockRoots(ids),
      execute: (instanceId, command) => this.isolated(async () => {
        await this.lockRootOf(instanceId);
        return this.run(instanceId, command);
      }),
      start: (request) => this.isolated(async () => {
        const instanceId = randomUUID();
        this.create(instanceId, request.definition, { businessKey: request.businessKey ?? null, rootInstanceId: instanceId, parent: null });
        this.locked.add(instanceId);
        await this.run(instanceId, {
          type: 'start',
          variables: request.variables ?? {},
          businessKey: request.businessKey,
          startEventId: request.startEventId,
          initiator: this.actor ?? undefined,
        });
        return instanceId;
      }),
    };
  }

  private async lockRoots(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)].filter((id) => !this.locked.has(id));
    for (const row of await this.tx.lockInstances(wanted)) {
      this.locked.add(row.id);
      if (this.loaded.has(row.id)) continue;
      const definition = await this.models.get(this.tx, row.definitionId);
      if (!definition) throw new Error(`definition ${row.definitionId} of instance ${row.id} is missing`);
      this.loaded.set(row.id, { row, definition, state: row.state as InstanceState, isNew: false, dirty: false });
    }
    return ids.filter((id) => this.locked.has(id));
  }

  /** Locks the root of the instance's call hierarchy (one statement), keeping the root's row as loaded. */
  async lockRootOf(instanceId: string): Promise<void> {
    const knownRoot = this.loaded.get(instanceId)?.row.rootInstanceId;
    if (knownRoot !== undefined && this.locked.has(knownRoot)) return;
    const row = await this.tx.lockRootOf(instanceId);
    if (!row) throw notFound(`Process instance ${instanceId} not found`);
    this.locked.add(row.id);
    if (this.loaded.has(row.id)) return;
    const definition = await this.models.get(this.tx, row.definitionId);
    if (!definition) throw new Error(`definition ${row.definitionId} of instance ${row.id} is missing`);
    this.loaded.set(row.id, { row, definition, state: row.state as InstanceState, isNew: false, dirty: false });
  }

  /** Runs `work`; if it throws, everything it changed in this run is undone before rethrowing. */
  private async isolated<T>(work: () => Promise<T>): Promise<T> {
    const checkpoint = this.checkpoint();
    try {
      return await work();
    } catch (error) {
      this.restore(checkpoint);
      throw error;
    }
  }

  private checkpoint(): Checkpoint {
    return {
      // Entries are replaced, never mutated (step), and the engine never mutates a state document.
      loaded: new Map(this.loaded),
      lengths: new Map(Object.entries(this.batch).map(([name, rows]) => [name, (rows as unknown[]).length])),
      subscriptionsSeen: this.subscriptionsSeen,
      awaitingBuffer: [...this.awaitingBuffer],
      claimed: new Set(this.claimed),
    };
  }

  private restore(checkpoint: Checkpoint): void {
    this.loaded = checkpoint.loaded;
    for (const [name, length] of checkpoint.lengths) ((this.batch as unknown as Record<string, unknown[]>)[name]!).length = length;
    this.subscriptionsSeen = checkpoint.subscriptionsSeen;
    this.awaitingBuffer = checkpoint.awaitingBuffer;
    this.claimed = checkpoint.claimed;
    // `locked` stays: row locks taken meanwhile are held until the transaction ends anyway.
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
    // Replaced, not mutated, so a session checkpoint (a copy of the map) keeps the entry before.
    this.loaded.set(instanceId, { ...instance, state: result.state, dirty: true });
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
      // Camunda 8 semantics: an incident on the call activity (retry once the process is deployed), not a refused command.
      const message = `Call activity '${effect.parentElementId}': no deployed process '${effect.processKey}' (${effect.binding} binding)`;
      return { instanceId: parentInstanceId, command: { type: 'childNotStarted', childInstanceId: effect.childInstanceId, message } };
    }
    const link: ParentLink = {
      instanceId: parentInstanceId,
      elementInstanceId: effect.parentElementInstanceId,
      elementId: effect.parentElementId,
      rootInstanceId: parent.row.rootInstanceId,
      // The child decides from these whether its uncaught escalation will be caught interrupting above it.
      ...(effect.escalationCatches ? { escalationCatches: effect.escalationCatches } : {}),
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

  /** Writes every touched instance document, then the batched projections. */
  async persist(): Promise<Persisted> {
    const updates: { id: string; state: InstanceState; status: ReturnType<typeof statusOf>; endedAt: Date | null }[] = [];
    for (const instance of this.loaded.values()) {
      if (!instance.dirty || instance.state === null) continue;
      const status = statusOf(instance.state);
      const endedAt = instance.state.status === 'active' ? null : instance.row.endedAt ?? this.now;
      if (instance.isNew) {
        await this.tx.insertInstance({ ...instance.row, state: instance.state, status, endedAt, updatedAt: this.now });
      } else {
        updates.push({ id: instance.row.id, state: instance.state, status, endedAt });
      }
    }
    if (updates.length === 1) await this.tx.updateInstance(updates[0]!.id, updates[0]!.state, updates[0]!.status, updates[0]!.endedAt, this.now);
    else await this.tx.updateInstances(updates, this.now);
    await this.tx.flush(this.batch, this.now);
    const dueTimes = this.batch.timers.map((timer) => Date.parse(timer.dueAt));
    return { wroteOutbox: this.batch.outbox.length > 0, earliestTimer: dueTimes.length > 0 ? new Date(Math.min(...dueTimes)) : null };
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
