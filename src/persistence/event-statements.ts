import { createHash } from 'node:crypto';
import type { QueryRunner } from 'typeorm';

// The SQL of signals and messages that runs inside an engine command's transaction (the runtime
// correlating a buffered message when a subscription opens, POST /api/messages, a broadcast
// chunk). Reached through RuntimeTransaction#events, so it shares the command's connection.

/** What identifies an integrator's message besides its name; all given criteria must hold. */
export interface MessageCriteria {
  readonly name: string;
  readonly correlationKey: string | null;
  readonly businessKey: string | null;
  readonly processInstanceId: string | null;
}

/** An open message subscription a message may go to. */
export interface SubscriptionMatch {
  readonly key: string;
  readonly processInstanceId: string;
  readonly rootInstanceId: string;
  readonly elementId: string;
}

/** What a subscription that just opened offers to the buffer. */
export interface OpeningSubscription {
  readonly name: string;
  readonly correlationKey: string | null;
  readonly businessKey: string | null;
  readonly processInstanceId: string;
}

export interface BufferedMessage {
  readonly id: string;
  readonly variables: Record<string, unknown>;
  readonly createdAt: Date;
}

export interface StartSubscriptionRow {
  readonly definitionId: string;
  readonly definitionKey: string;
  readonly elementId: string;
}

export interface BroadcastPartRow {
  readonly name: string;
  readonly variables: Record<string, unknown>;
  readonly uptoSeq: string;
  readonly parts: number;
  readonly cursorSeq: string;
  readonly done: boolean;
}

export interface SignalSubscriptionRow {
  readonly key: string;
  readonly processInstanceId: string;
  readonly rootInstanceId: string;
  readonly seq: string;
}

/**
 * Advisory-lock names that serialise "a message looks for subscriptions, finds none, buffers" with
 * "a subscription opens and looks into the buffer": a message and any subscription it could match
 * always share at least one of these names, so one of the two transactions sees the other's row.
 * (Criteria by instance id need none: the instance row lock already serialises them.)
 */
export function messageLockNames(message: MessageCriteria): string[] {
  const names: string[] = [];
  if (message.correlationKey !== null) names.push(`message\u0000${message.name}\u0000ck\u0000${message.correlationKey}`);
  else if (message.businessKey !== null) names.push(`message\u0000${message.name}\u0000bk\u0000${message.businessKey}`);
  else if (message.processInstanceId === null) names.push(`message\u0000${message.name}\u0000none`);
  return names;
}

export function subscriptionLockNames(subscription: OpeningSubscription): string[] {
  const names = [
    subscription.correlationKey !== null
      ? `message\u0000${subscription.name}\u0000ck\u0000${subscription.correlationKey}`
      : `message\u0000${subscription.name}\u0000none`,
  ];
  if (subscription.businessKey !== null) names.push(`message\u0000${subscription.name}\u0000bk\u0000${subscription.businessKey}`);
  return names;
}

/** A signed 64-bit advisory lock key (first 8 bytes of SHA-1): collisions only over-serialise. */
function lockKey(name: string): bigint {
  return createHash('sha1').update(name).digest().readBigInt64BE(0);
}

/**
 * Matching, the same rule read from either side:
 * - a message with a correlation key matches subscriptions with that key;
 * - with a business key, subscriptions of instances with that business key;
 * - with an instance id, subscriptions of that instance;
 * - all given criteria must hold; a message with none of them matches only subscriptions that have
 *   no correlation key (Camunda 7 style correlation by name).
 */
const SUBSCRIPTION_MATCH = `
  s.state = 'open' AND s.event_type = 'message' AND s.name = $1
  AND ($2::text IS NULL OR s.correlation_key = $2)
  AND ($3::text IS NULL OR p.business_key = $3)
  AND ($4::uuid IS NULL OR s.process_instance_id = $4)
  AND ($2::text IS NOT NULL OR $3::text IS NOT NULL OR $4::uuid IS NOT NULL OR s.correlation_key IS NULL)
  AND p.status <> 'suspended'`;

const BUFFER_MATCH = `
  state = 'buffered' AND name = $1 AND expires_at > $5
  AND (correlation_key IS NULL OR correlation_key = $2)
  AND (business_key IS NULL OR business_key = $3)
  AND (process_instance_id IS NULL OR process_instance_id = $4)
  AND (correlation_key IS NOT NULL OR business_key IS NOT NULL OR process_instance_id IS NOT NULL OR $2::text IS NULL)
  AND NOT (id = ANY($6::uuid[]))`;

export class EventStatements {
  constructor(private readonly runner: QueryRunner) {}

  private query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.runner.query(sql, params) as Promise<T[]>;
  }

  /** Takes the transaction-scoped advisory locks for these names, in one global order (no deadlock between two lockers). */
  async lockNames(names: readonly string[]): Promise<void> {
    const keys = [...new Set(names.map(lockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length === 0) return;
    // unnest yields the array in order; the locks are taken row by row in that order.
    await this.query('SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k', [keys.map(String)]);
  }

  // ───────────── messages ─────────────

  /** The oldest open subscription the message matches (instances not suspended), or null. */
  async oldestSubscription(message: MessageCriteria): Promise<SubscriptionMatch | null> {
    const rows = await this.query<SubscriptionMatch>(
      `SELECT s.key, s.process_instance_id AS "processInstanceId", p.root_instance_id AS "rootInstanceId", s.element_id AS "elementId"
       FROM subscription s JOIN process_instance p ON p.id = s.process_instance_id
       WHERE ${SUBSCRIPTION_MATCH}
       ORDER BY s.created_at, s.seq LIMIT 1`,
      [message.name, message.correlationKey, message.businessKey, message.processInstanceId],
    );
    return rows[0] ?? null;
  }

  /** Reserves a messageId (as a row nothing correlates yet); false when it was seen before. */
  async reserveMessageId(row: { id: string; name: string; messageId: string; criteria: MessageCriteria; variables: unknown; now: Date; keepUntil: Date }): Promise<boolean> {
    const inserted = await this.query(
      `INSERT INTO message (id, name, message_id, correlation_key, business_key, process_instance_id, variables, state, keep_until, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'correlated', $8, $9)
       ON CONFLICT (name, message_id) WHERE message_id IS NOT NULL DO NOTHING RETURNING id`,
      [row.id, row.name, row.messageId, row.criteria.correlationKey, row.criteria.businessKey, row.criteria.processInstanceId, JSON.stringify(row.variables), row.keepUntil, row.now],
    );
    return inserted.length > 0;
  }

  /** Records where a message went (only messages with a row: a messageId, or buffered). */
  async recordCorrelation(id: string, instanceId: string, elementId: string, now: Date): Promise<void> {
    await this.query(
      `UPDATE message SET state = 'correlated', correlated_at = $4, correlated_instance_id = $2, correlated_element_id = $3 WHERE id = $1`,
      [id, instanceId, elementId, now],
    );
  }

  /** Buffers a message: a new row, or the messageId reservation made earlier in this transaction. */
  async buffer(row: { id: string; reserved: boolean; criteria: MessageCriteria; variables: unknown; now: Date; expiresAt: Date; keepUntil: Date }): Promise<void> {
    if (row.reserved) {
      await this.query(`UPDATE message SET state = 'buffered', expires_at = $2, keep_until = $3 WHERE id = $1`, [row.id, row.expiresAt, row.keepUntil]);
      return;
    }
    const { criteria } = row;
    await this.query(
      `INSERT INTO message (id, name, correlation_key, business_key, process_instance_id, variables, state, expires_at, keep_until, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'buffered', $7, $8, $9)`,
      [row.id, criteria.name, criteria.correlationKey, criteria.businessKey, criteria.processInstanceId, JSON.stringify(row.variables), row.expiresAt, row.keepUntil, row.now],
    );
  }

  /**
   * The oldest unexpired buffered message a subscription that just opened may take, locked; its
   * claim is written at flush (RowBatch.correlatedMessages). `exclude`: claimed earlier in this transaction.
   */
  async oldestBuffered(subscription: OpeningSubscription, now: Date, exclude: readonly string[]): Promise<BufferedMessage | null> {
    const rows = await this.query<BufferedMessage>(
      `SELECT id, variables, created_at AS "createdAt" FROM message WHERE ${BUFFER_MATCH}
       ORDER BY created_at, id LIMIT 1 FOR UPDATE`,
      [subscription.name, subscription.correlationKey, subscription.businessKey, subscription.processInstanceId, now, exclude],
    );
    return rows[0] ?? null;
  }

  async markCorrelated(rows: readonly { id: string; instanceId: string; elementId: string }[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.query(
      `UPDATE message m SET state = 'correlated', correlated_at = $4, correlated_instance_id = v.instance_id, correlated_element_id = v.element_id
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS v(id, instance_id, element_id)
       WHERE m.id = v.id AND m.state = 'buffered'`,
      [rows.map((r) => r.id), rows.map((r) => r.instanceId), rows.map((r) => r.elementId), now],
    );
  }

  // ───────────── start events ─────────────

  /** Message/signal start events of the latest versions with this name, oldest process key first. */
  startSubscriptions(eventType: 'message' | 'signal', name: string): Promise<StartSubscriptionRow[]> {
    return this.query<StartSubscriptionRow>(
      `SELECT definition_id AS "definitionId", definition_key AS "definitionKey", element_id AS "elementId"
       FROM start_subscription WHERE event_type = $1 AND name = $2 ORDER BY definition_key, element_id`,
      [eventType, name],
    );
  }

  // ───────────── signal broadcasts ─────────────

  /** Locks one part of a broadcast (its cursor) and reads what the broadcast sends. */
  async lockPart(id: string, part: number): Promise<BroadcastPartRow | null> {
    const rows = await this.query<BroadcastPartRow>(
      `SELECT b.name, b.variables, b.upto_seq::text AS "uptoSeq", b.parts, p.cursor_seq::text AS "cursorSeq", p.done
       FROM signal_broadcast_part p JOIN signal_broadcast b ON b.id = p.broadcast_id
       WHERE p.broadcast_id = $1 AND p.part = $2 FOR UPDATE OF p`,
      [id, part],
    );
    return rows[0] ?? null;
  }

  /**
   * The next open signal subscriptions of one part of a broadcast, in `seq` order after its
   * cursor. Parts split subscriptions by a hash of their ROOT instance, so two parts never wait
   * for each other's instance locks.
   */
  signalSubscriptions(name: string, afterSeq: string, uptoSeq: string, limit: number, parts: number, part: number): Promise<SignalSubscriptionRow[]> {
    return this.query<SignalSubscriptionRow>(
      `SELECT s.key, s.process_instance_id AS "processInstanceId", p.root_instance_id AS "rootInstanceId", s.seq::text AS seq
       FROM subscription s JOIN process_instance p ON p.id = s.process_instance_id
       WHERE s.state = 'open' AND s.event_type = 'signal' AND s.name = $1 AND s.seq > $2 AND s.seq <= $3 AND p.status <> 'suspended'
         AND ($5 = 1 OR (hashtext(p.root_instance_id::text)::bigint & 2147483647) % $5 = $6)
       ORDER BY s.seq LIMIT $4`,
      [name, afterSeq, uptoSeq, limit, parts, part],
    );
  }

  async advancePart(id: string, part: number, cursorSeq: string, delivered: number, leaseUntil: Date): Promise<void> {
    await this.query(
      `UPDATE signal_broadcast_part SET cursor_seq = $3, delivered = delivered + $4, lease_until = $5 WHERE broadcast_id = $1 AND part = $2`,
      [id, part, cursorSeq, delivered, leaseUntil],
    );
  }

  /**
   * Marks a part done; true when it was the last one (then the broadcast row is locked and the
   * caller finishes the broadcast in this same transaction).
   */
  async finishPart(id: string, part: number): Promise<boolean> {
    await this.query(`UPDATE signal_broadcast_part SET done = true WHERE broadcast_id = $1 AND part = $2`, [id, part]);
    const [broadcast] = await this.query<{ state: string }>(`SELECT state FROM signal_broadcast WHERE id = $1 FOR UPDATE`, [id]);
    if (broadcast?.state !== 'running') return false;
    const [{ open }] = await this.query<{ open: number }>(`SELECT count(*)::int AS open FROM signal_broadcast_part WHERE broadcast_id = $1 AND NOT done`, [id]);
    return open === 0;
  }

  async finishBroadcast(id: string, started: number, now: Date): Promise<void> {
    await this.query(`UPDATE signal_broadcast SET state = 'done', started = $2, finished_at = $3 WHERE id = $1`, [id, started, now]);
  }
}
