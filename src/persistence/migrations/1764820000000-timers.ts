import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Leases on timers: a replica claims due timers for a short time so others skip them; an expired lease means its claimer died. */
export class Timers1764820000000 implements MigrationInterface {
  name = 'Timers1764820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE timer ADD COLUMN locked_until timestamptz`);
    await q.query(`ALTER TABLE timer ADD COLUMN fired_at timestamptz`);
    await q.query(`DROP INDEX timer_due`);
    await q.query(`CREATE INDEX timer_due ON timer (due_at) INCLUDE (locked_until) WHERE state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX timer_due`);
    await q.query(`CREATE INDEX timer_due ON timer (due_at) WHERE state = 'pending'`);
    await q.query(`ALTER TABLE timer DROP COLUMN fired_at`);
    await q.query(`ALTER TABLE timer DROP COLUMN locked_until`);
  }
}
