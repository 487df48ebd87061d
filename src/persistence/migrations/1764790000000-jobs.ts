import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job reconciliation. `next_check_at` is when a reconciler should next look at a pending job in
 * BullMQ (re-publish it if Redis lost it, recover a result the engine missed). Claiming a batch
 * moves it forward, which doubles as the lease that keeps other replicas off those rows.
 * NULL means "never checked": the job is due one grace period after it was created.
 * No index of its own: the reconciler reads the few pending jobs through `job_pending`, and an
 * unindexed column keeps the lease update a HOT update and the engine's job writes as cheap as before.
 */
export class Jobs1764790000000 implements MigrationInterface {
  name = 'Jobs1764790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job ADD COLUMN next_check_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job DROP COLUMN next_check_at`);
  }
}
