import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface OutboxMessage {
  id: string;
  kind: string;
  processInstanceId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * The outbox: rows written in an engine step's transaction, published after commit. Replicas claim
 * rows with SKIP LOCKED so each is handed to one relay at a time; a row is marked published only
 * after its handler succeeded, so a crash in between publishes it again (handlers are idempotent).
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` unpublished rows of the given kinds, runs `publish` on them while holding
   * the row locks, and marks the ones it returns as published; failures get their attempt count
   * and error recorded and stay for the next round.
   */
  async drain(
    kinds: readonly string[],
    limit: number,
    publish: (messages: OutboxMessage[]) => Promise<{ published: string[]; failed: { id: string; error: string }[] }>,
  ): Promise<number> {
    if (kinds.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxMessage[] = await manager.query(
        `SELECT id::text AS id, kind, process_instance_id AS "processInstanceId", payload, attempts
         FROM outbox WHERE published_at IS NULL AND kind = ANY($1) AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         ORDER BY outbox.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [kinds, limit],
      );
      if (rows.length === 0) return 0;
      const { published, failed } = await publish(rows);
      if (published.length > 0) {
        await manager.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [published]);
      }
      for (const failure of failed) {
        // Back off exponentially (capped at 5 minutes) so a broken target does not spin the relay.
        await manager.query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
             next_attempt_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts)) WHERE id = $1`,
          [failure.id, failure.error.slice(0, 2000)],
        );
      }
      return rows.length;
    });
  }

  /** Published rows are kept a while for diagnosis, then removed. */
  async prune(olderThanHours: number): Promise<number> {
    const result = await this.dataSource.query(`DELETE FROM outbox WHERE published_at < now() - ($1 || ' hours')::interval`, [String(olderThanHours)]);
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
