import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** A start event as stored for the latest version of a process key. */
export interface StartSubscriptionSpec {
  readonly elementId: string;
  readonly eventType: 'message' | 'signal';
  readonly name: string;
}

/**
 * Signals and messages outside an engine command: broadcast bookkeeping, start-event
 * subscriptions kept in step with deployments, and housekeeping of the message buffer. (What must
 * share a command's transaction is in event-statements.ts.)
 */
@Injectable()
export class EventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records a broadcast and its parts before it fans out. `upto_seq` takes a fresh value of the
   * subscription sequence: every subscription inserted later (those its own deliveries open
   * included) is beyond it. Returns false when `source` was recorded before (an outbox row published twice).
   */
  async createBroadcast(row: { id: string; name: string; variables: unknown; source: string; parts: number; now: Date; leaseUntil: Date }): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO signal_broadcast (id, name, variables, source, state, upto_seq, parts, created_at)
         VALUES ($1, $2, $3, $4, 'running', nextval(pg_get_serial_sequence('subscription', 'seq')), $5, $6)
         ON CONFLICT (source) DO NOTHING RETURNING id`,
        [row.id, row.name, JSON.stringify(row.variables), row.source, row.parts, row.now],
      );
      if (inserted.length === 0) return false;
      await manager.query(
        `INSERT INTO signal_broadcast_part (broadcast_id, part, lease_until) SELECT $1, part, $3 FROM generate_series(0, $2 - 1) AS part`,
        [row.id, row.parts, row.leaseUntil],
      );
      return true;
    });
  }

  /** Takes over one unfinished part whose driver stopped renewing its lease (crash, shutdown, thrown signal). */
  async claimStalePart(now: Date, leaseUntil: Date): Promise<{ broadcastId: string; part: number } | null> {
    const rows = affectedRows<{ broadcastId: string; part: number }>(
      await this.dataSource.query(
        `UPDATE signal_broadcast_part SET lease_until = $2 WHERE (broadcast_id, part) = (
           SELECT broadcast_id, part FROM signal_broadcast_part WHERE NOT done AND lease_until <= $1
           ORDER BY lease_until LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING broadcast_id AS "broadcastId", part`,
        [now, leaseUntil],
      ),
    );
    return rows[0] ?? null;
  }

  async broadcastTotals(id: string): Promise<{ state: 'running' | 'done'; delivered: number; started: number } | null> {
    const rows: { state: 'running' | 'done'; delivered: number; started: number }[] = await this.dataSource.query(
      `SELECT b.state, b.started, coalesce((SELECT sum(delivered) FROM signal_broadcast_part WHERE broadcast_id = b.id), 0)::int AS delivered
       FROM signal_broadcast b WHERE b.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Replaces the start subscriptions of `key` by those of its latest version, computed from the
   * stored model. Serialised per key and always reading the latest version, so concurrent deploys
   * (or a crash between a deploy and this call, repaired by `keysWithStaleStartSubscriptions`) end right.
   */
  async replaceStartSubscriptions(key: string, compute: (model: unknown) => StartSubscriptionSpec[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`start-subscriptions:${key}`]);
      const [latest]: { id: string; model: unknown }[] = await manager.query(
        'SELECT id, model FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1',
        [key],
      );
      await manager.query('DELETE FROM start_subscription WHERE definition_key = $1', [key]);
      if (!latest) {
        await manager.query('DELETE FROM start_subscription_source WHERE definition_key = $1', [key]);
        return 0;
      }
      const specs = compute(latest.model);
      if (specs.length > 0) {
        const params: unknown[] = [latest.id, key];
        const values = specs.map((spec) => `($1, $2, $${params.push(spec.elementId)}, $${params.push(spec.eventType)}, $${params.push(spec.name)})`);
        await manager.query(`INSERT INTO start_subscription (definition_id, definition_key, element_id, event_type, name) VALUES ${values.join(',')}`, params);
      }
      await manager.query(
        `INSERT INTO start_subscription_source (definition_key, definition_id) VALUES ($1, $2)
         ON CONFLICT (definition_key) DO UPDATE SET definition_id = EXCLUDED.definition_id`,
        [key, latest.id],
      );
      return specs.length;
    });
  }

  /** Keys whose start subscriptions do not reflect their latest version (never computed, or a crash after a deploy). */
  async keysWithStaleStartSubscriptions(): Promise<string[]> {
    const rows: { key: string }[] = await this.dataSource.query(
      `SELECT d.key FROM (SELECT DISTINCT ON (key) key, id FROM process_definition ORDER BY key, version DESC) d
       LEFT JOIN start_subscription_source s ON s.definition_key = d.key
       WHERE s.definition_id IS DISTINCT FROM d.id ORDER BY d.key`,
    );
    return rows.map((r) => r.key);
  }

  /** Marks expired buffered messages and forgets rows past their deduplication window. */
  async sweepMessages(now: Date): Promise<{ expired: number; removed: number }> {
    const expired = affectedRows(await this.dataSource.query(`UPDATE message SET state = 'expired' WHERE state = 'buffered' AND expires_at <= $1 RETURNING id`, [now]));
    const removed = affectedRows(await this.dataSource.query(`DELETE FROM message WHERE keep_until <= $1 AND state <> 'buffered' RETURNING id`, [now]));
    return { expired: expired.length, removed: removed.length };
  }
}

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count]. */
function affectedRows<T = unknown>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
