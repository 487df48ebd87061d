import { randomUUID } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/domain-error.js';
import { JsonLogger } from '../common/json-logger.js';
import type { Variables } from '../engine/types.js';
import { EventRepository } from '../persistence/event.repository.js';
import type { OutboxMessage } from '../persistence/outbox.repository.js';
import { CommandExecutor, type CommandSession } from '../runtime/command-executor.js';
import { ModelCache } from '../runtime/model-cache.js';
import { OutboxRelay } from '../runtime/outbox-relay.js';
import { StartEventSubscriptions } from './start-event-subscriptions.js';

/** Subscriptions per transaction: big enough to amortise the round trips, small enough to keep locks short. */
export const BROADCAST_CHUNK = 500;
/** Parts of a broadcast driven in parallel (while Node runs the engine for one, PostgreSQL writes another). */
export const BROADCAST_PARTS = 3;
/** A driver renews its part's lease with every chunk; past it another driver (replica) takes over. */
const LEASE_MS = 30_000;
const POLL_MS = 2_000;
const HOUSEKEEPING_MS = 60_000;

export interface BroadcastResult {
  readonly id: string;
  /** Subscriptions fired plus instances started by signal start events. */
  readonly delivered: number;
  readonly startedInstances: number;
}

/**
 * Signal broadcasts (POST /api/signals and signal throw events), batched and resumable:
 * 1. A `signal_broadcast` row and its parts are written first, with `upto_seq` = a fresh value of
 *    the subscription sequence (later subscriptions, its own deliveries' included, are not in it).
 * 2. Each part (subscriptions split by a hash of their root instance) fires chunks of up to
 *    `chunkSize` open subscriptions with that name and seq in (cursor, upto], ONE transaction per
 *    chunk: lock the chunk's root instances (id order), run one `deliverSignal` per subscription
 *    through a command session, advance the part's cursor, commit all together. A crash loses
 *    the chunk in flight entirely (nothing fired, cursor not moved) and nothing else: no
 *    subscription is ever both fired and still pending.
 * 3. The transaction that finishes the last part also starts the instances of signal start
 *    events (latest versions) and marks the broadcast done.
 * A part whose driver died (lease expired) is taken over by any replica's poller, so every
 * subscription that existed when the broadcast began fires exactly once, and the broadcast completes.
 */
@Injectable()
export class SignalsService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new JsonLogger('signals');
  private timer: NodeJS.Timeout | null = null;
  private resuming: Promise<void> | null = null;
  private again = false;
  private lastHousekeeping = 0;
  private stopped = false;
  /** Subscriptions per chunk transaction (tests lower it to cut a broadcast into several chunks). */
  chunkSize = BROADCAST_CHUNK;
  /** Parts of new broadcasts. */
  parallelism = BROADCAST_PARTS;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly repository: EventRepository,
    private readonly models: ModelCache,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly startEvents: StartEventSubscriptions,
  ) {}

  onModuleInit(): void {
    // Throw events wrote an outbox row in their step's transaction; publishing it records the
    // broadcast (idempotent per outbox row) and lets the poller drive it.
    this.relay.register('signal.throw', (message) => this.fromOutbox(message));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.resuming) await this.resuming;
  }

  /** Broadcasts and returns when every part is done. */
  async broadcast(name: string, variables: Variables, source = `api:${randomUUID()}`): Promise<BroadcastResult> {
    const id = randomUUID();
    const now = this.clock.now();
    const parts = Math.max(1, this.parallelism);
    await this.repository.createBroadcast({ id, name, variables, source, parts, now, leaseUntil: new Date(now.getTime() + LEASE_MS) });
    await Promise.all(Array.from({ length: parts }, (_, part) => this.drivePart(id, part)));
    const totals = await this.repository.broadcastTotals(id);
    return { id, delivered: (totals?.delivered ?? 0) + (totals?.started ?? 0), startedInstances: totals?.started ?? 0 };
  }

  /** Runs the chunks of one part until it is done. */
  private async drivePart(id: string, part: number): Promise<void> {
    for (;;) {
      if (this.stopped) throw new DomainError('unavailable', 'Shutting down: the broadcast is finished by another replica or after restart');
      if (await this.executor.session((session) => this.chunk(session, id, part))) return;
    }
  }

  /** One transaction: the next chunk of a part; true when the part is done. */
  private async chunk(session: CommandSession, id: string, partNo: number): Promise<boolean> {
    const { tx, now } = session;
    const part = await tx.events.lockPart(id, partNo);
    if (!part || part.done) return true;

    const subscriptions = await tx.events.signalSubscriptions(part.name, part.cursorSeq, part.uptoSeq, this.chunkSize, part.parts, partNo);
    if (subscriptions.length > 0) {
      await session.lockRoots(subscriptions.map((s) => s.rootInstanceId));
      let delivered = 0;
      for (const subscription of subscriptions) {
        try {
          const outcome = await session.execute(subscription.processInstanceId, { type: 'deliverSignal', subscriptionKey: subscription.key, variables: part.variables });
          if (outcome === 'applied') delivered++;
        } catch (error) {
          // This instance refuses (suspended meanwhile, a called process missing…): it misses this
          // signal, its subscription stays open, the others go on. A database error aborts the chunk.
          if (isDatabaseError(error)) throw error;
          this.logger.warn('signal not delivered to an instance', {
            signal: part.name,
            processInstanceId: subscription.processInstanceId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      await tx.events.advancePart(id, partNo, subscriptions[subscriptions.length - 1]!.seq, delivered, new Date(now.getTime() + LEASE_MS));
      return false;
    }

    // The part is exhausted. The last one also runs the signal start events (after every
    // subscription, so the instances started here are not in this broadcast) and closes it.
    if (!(await tx.events.finishPart(id, partNo))) return true;
    let started = 0;
    for (const start of await tx.events.startSubscriptions('signal', part.name)) {
      const definition = await this.models.get(tx, start.definitionId);
      if (!definition) continue;
      try {
        await session.start({ definition, startEventId: start.elementId, variables: part.variables });
        started++;
      } catch (error) {
        if (isDatabaseError(error)) throw error;
        this.logger.warn('signal start event did not start an instance', {
          signal: part.name,
          definitionKey: start.definitionKey,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    await tx.events.finishBroadcast(id, started, now);
    return true;
  }

  private async fromOutbox(message: OutboxMessage): Promise<void> {
    const payload = message.payload as { name?: unknown; variables?: unknown };
    if (typeof payload.name !== 'string') return;
    const variables = payload.variables !== null && typeof payload.variables === 'object' ? (payload.variables as Variables) : {};
    const now = this.clock.now();
    // Leases already expired: the poller picks the parts up right away (kicked below), on whichever replica.
    const parts = Math.max(1, this.parallelism);
    await this.repository.createBroadcast({ id: randomUUID(), name: payload.name, variables, source: `outbox:${message.id}`, parts, now, leaseUntil: now });
    setImmediate(() => this.kick());
  }

  /** Drives parts nobody drives (thrown signals, crashed drivers); does housekeeping now and then. */
  kick(): void {
    if (this.stopped) return;
    if (this.resuming) {
      this.again = true;
      return;
    }
    this.resuming = this.resumeAll()
      .catch((error: unknown) => this.logger.error('signal broadcast poller failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        this.resuming = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when the poller is idle (tests). */
  async idle(): Promise<void> {
    while (this.resuming) await this.resuming;
  }

  private async resumeAll(): Promise<void> {
    const driving: Promise<void>[] = [];
    const broadcasts = new Set<string>();
    while (!this.stopped) {
      const now = this.clock.now();
      const claimed = await this.repository.claimStalePart(now, new Date(now.getTime() + LEASE_MS));
      if (claimed === null) break;
      broadcasts.add(claimed.broadcastId);
      driving.push(this.drivePart(claimed.broadcastId, claimed.part));
    }
    for (const outcome of await Promise.allSettled(driving)) {
      // Stopped for shutdown: the lease runs out and another replica (or the restart) goes on.
      if (outcome.status === 'rejected' && !(outcome.reason instanceof DomainError && outcome.reason.code === 'unavailable')) throw outcome.reason;
    }
    // Nobody waits for the answer of a taken-over broadcast: its count goes to the log (and stays in its rows).
    for (const id of broadcasts) {
      const totals = await this.repository.broadcastTotals(id);
      if (totals?.state === 'done') this.logger.info('signal broadcast finished by the poller', { id, delivered: totals.delivered + totals.started, startedInstances: totals.started });
    }
    if (!this.stopped && Date.now() - this.lastHousekeeping >= HOUSEKEEPING_MS) {
      this.lastHousekeeping = Date.now();
      await this.repository.sweepMessages(this.clock.now());
      await this.startEvents.repair();
    }
  }
}

/** Errors from PostgreSQL leave the transaction aborted: the chunk must roll back. */
function isDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { driverError?: unknown; code?: unknown };
  return candidate.driverError !== undefined || (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code));
}
