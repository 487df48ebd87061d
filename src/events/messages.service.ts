import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { badInput, conflict, DomainError, notFound } from '../common/domain-error.js';
import type { Variables } from '../engine/types.js';
import { addDuration, approximateMs, parseIsoDuration } from '../expressions/duration.js';
import { messageLockNames, type MessageCriteria } from '../persistence/event-statements.js';
import { CommandExecutor, type CommandSession } from '../runtime/command-executor.js';
import { ModelCache } from '../runtime/model-cache.js';

export interface PublishMessage {
  readonly name: string;
  readonly correlationKey?: string;
  readonly processInstanceId?: string;
  readonly businessKey?: string;
  readonly variables?: Variables;
  readonly messageId?: string;
  /** ISO-8601 duration. */
  readonly ttl?: string;
}

export type PublishOutcome =
  | { readonly kind: 'correlated'; readonly processInstanceId: string; readonly elementId: string; readonly startedInstance: boolean }
  | { readonly kind: 'buffered'; readonly expiresAt: Date }
  | { readonly kind: 'duplicate' };

/** A messageId is remembered this long at least (longer when its TTL is longer). */
const DEDUPE_WINDOW_MS = 24 * 3_600_000;
/** Longer TTLs are refused: a buffer is for a message that arrives a little early, not a mailbox. */
const MAX_TTL_MS = 366 * 86_400_000;
const MAX_ATTEMPTS = 20;

/** The message met a concurrent change (its subscription closed, or one opened): start over. */
class RaceLost extends Error {}

/**
 * POST /api/messages. One transaction per attempt holds everything: the messageId reservation,
 * the delivery (or the start of an instance, or the buffered row). So a 200 means the process
 * moved, a 202 means the message is in the buffer, and an error means nothing happened.
 *
 * Which subscription wins when several match: the oldest open subscription (opened first), also
 * within one instance; only when none waits does a message start event start an instance (the
 * latest version; several processes with that start message: the first by process key).
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly models: ModelCache,
  ) {}

  async publish(message: PublishMessage, actor: string | null): Promise<PublishOutcome> {
    const ttlMs = message.ttl === undefined ? 0 : ttlOf(message.ttl);
    const criteria: MessageCriteria = {
      name: message.name,
      correlationKey: message.correlationKey ?? null,
      businessKey: message.businessKey ?? null,
      processInstanceId: message.processInstanceId ?? null,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.executor.session((session) => this.attempt(session, message, criteria, ttlMs), actor);
      } catch (error) {
        if (!(error instanceof RaceLost)) throw error;
        if (attempt >= MAX_ATTEMPTS) throw conflict(`Message '${message.name}' met subscriptions changing under it ${MAX_ATTEMPTS} times; nothing happened, send it again`);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  private async attempt(session: CommandSession, message: PublishMessage, criteria: MessageCriteria, ttlMs: number): Promise<PublishOutcome> {
    const { tx, now } = session;
    const variables = message.variables ?? {};
    const expiresAt = ttlMs > 0 ? addDuration(now, parseIsoDuration(message.ttl!)!) : null;
    const reserved = message.messageId !== undefined;
    // A row with a messageId is kept for the dedupe window (or the ttl when longer); a buffered row without one until it expires.
    const keepUntil = reserved ? new Date(Math.max(now.getTime() + DEDUPE_WINDOW_MS, expiresAt?.getTime() ?? 0)) : (expiresAt ?? now);
    const rowId = randomUUID();

    // A messageId is accepted once: a concurrent twin waits on the unique index until we commit.
    if (reserved && !(await tx.events.reserveMessageId({ id: rowId, name: message.name, messageId: message.messageId!, criteria, variables, now, keepUntil }))) {
      return { kind: 'duplicate' };
    }
    let root: string | null = null;
    if (criteria.processInstanceId !== null) {
      root = await tx.rootOf(criteria.processInstanceId);
      if (root === null) throw notFound(`Process instance ${criteria.processInstanceId} not found`);
    }

    // 1. A waiting subscription: lock its instance, deliver. Never holds a message lock while
    //    waiting for an instance lock (subscriptions opening take them the other way round).
    const found = await tx.events.oldestSubscription(criteria);
    if (found) {
      await session.lockRoots([found.rootInstanceId]);
      const outcome = await session.execute(found.processInstanceId, { type: 'deliverMessage', subscriptionKey: found.key, variables }).catch((error: unknown) => {
        // Suspended or finished meanwhile: look again.
        if (error instanceof DomainError && error.code === 'conflict') return 'stale' as const;
        throw error;
      });
      if (outcome === 'stale') throw new RaceLost();
      if (reserved) await tx.events.recordCorrelation(rowId, found.processInstanceId, found.elementId, now);
      return { kind: 'correlated', processInstanceId: found.processInstanceId, elementId: found.elementId, startedInstance: false };
    }

    // 2. None: take the message's lock and look again, so a subscription opening right now either
    //    is seen here or sees the buffered row (CommandRun#deliverBuffered).
    if (root !== null) await session.lockRoots([root]);
    await tx.events.lockNames(messageLockNames(criteria));
    if (await tx.events.oldestSubscription(criteria)) throw new RaceLost();

    // 3. A message start event (not for a message addressed to one instance).
    if (criteria.processInstanceId === null) {
      const [start] = await tx.events.startSubscriptions('message', message.name);
      if (start) {
        const definition = await this.models.get(tx, start.definitionId);
        if (!definition) throw new Error(`definition ${start.definitionId} is missing`);
        const instanceId = await session.start({ definition, startEventId: start.elementId, variables, businessKey: message.businessKey });
        if (reserved) await tx.events.recordCorrelation(rowId, instanceId, start.elementId, now);
        return { kind: 'correlated', processInstanceId: instanceId, elementId: start.elementId, startedInstance: true };
      }
    }

    // 4. Buffer it, or refuse it.
    if (expiresAt !== null) {
      await tx.events.buffer({ id: rowId, reserved, criteria, variables, now, expiresAt, keepUntil });
      return { kind: 'buffered', expiresAt };
    }
    throw notFound(`No subscription waits for message '${message.name}'${describe(criteria)} (send a ttl to buffer it)`);
  }
}

function ttlOf(text: string): number {
  const duration = parseIsoDuration(text);
  if (duration === null) throw badInput(`ttl '${text}' is not an ISO-8601 duration (e.g. PT1H, P1D)`, [{ field: 'ttl', message: 'not an ISO-8601 duration' }]);
  const ms = approximateMs(duration);
  if (ms > MAX_TTL_MS) throw badInput(`ttl '${text}' is longer than P366D`, [{ field: 'ttl', message: 'longer than P366D' }]);
  return ms;
}

function describe(criteria: MessageCriteria): string {
  const parts = [
    criteria.correlationKey !== null ? `correlationKey '${criteria.correlationKey}'` : null,
    criteria.businessKey !== null ? `businessKey '${criteria.businessKey}'` : null,
    criteria.processInstanceId !== null ? `process instance ${criteria.processInstanceId}` : null,
  ].filter((part) => part !== null);
  return parts.length > 0 ? ` with ${parts.join(', ')}` : '';
}
