import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mail notifications (src/notifications). One row per mail, rendered when it is queued, so every
 * retry sends the same subject, bodies, recipients and Message-ID. PostgreSQL is the truth: the
 * BullMQ mail queue only carries the row id, and a reconciler re-enqueues queued rows Redis lost.
 *
 * - `dedupe_key` (unique) makes queueing idempotent: an outbox row published twice, or a deadline
 *   that fires twice, finds its mail already there. `request_key` is the caller's key; a request
 *   sent to a group one mail per member yields one `dedupe_key` per member.
 * - `sending_until` is a short lease taken before each SMTP attempt, so two workers never send the
 *   same row at once (a stalled BullMQ job taken over while the first attempt still runs).
 * - `next_check_at` is the reconciler's lease on queued rows (SKIP LOCKED, shared by replicas).
 */
export class Notifications1764830000000 implements MigrationInterface {
  name = 'Notifications1764830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY,
        dedupe_key text UNIQUE,
        request_key text,
        template text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued','sent','failed')),
        process_instance_id uuid,
        task_id uuid,
        element_id text,
        element_instance_id text,
        requested jsonb NOT NULL DEFAULT '{}',
        to_addresses jsonb NOT NULL DEFAULT '[]',
        cc_addresses jsonb NOT NULL DEFAULT '[]',
        subject text,
        html text,
        text text,
        message_id text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        sent_at timestamptz,
        failed_at timestamptz,
        sending_until timestamptz,
        next_check_at timestamptz
      )`);
    await q.query(`CREATE INDEX notification_created ON notification (created_at DESC, id)`);
    await q.query(`CREATE INDEX notification_status_created ON notification (status, created_at DESC, id)`);
    await q.query(`CREATE INDEX notification_instance ON notification (process_instance_id, created_at DESC) WHERE process_instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX notification_task ON notification (task_id) WHERE task_id IS NOT NULL`);
    await q.query(`CREATE INDEX notification_request_key ON notification (request_key) WHERE request_key IS NOT NULL`);
    await q.query(`CREATE INDEX notification_queued_check ON notification (next_check_at NULLS FIRST, created_at) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS notification`);
  }
}
