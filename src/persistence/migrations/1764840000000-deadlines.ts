import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One timer table for three kinds of due work, so one poller (lease + SKIP LOCKED) serves them all:
 * `engine` (BPMN timer events of an instance), `start` (timer start events of a definition: no
 * instance yet) and `task-deadline` (reminders, escalations and overdue notices of a user task).
 * User tasks record when and from whom they were escalated.
 */
export class Deadlines1764840000000 implements MigrationInterface {
  name = 'Deadlines1764840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE timer ADD COLUMN kind text NOT NULL DEFAULT 'engine' CHECK (kind IN ('engine','start','task-deadline'))`);
    await q.query(`ALTER TABLE timer ADD COLUMN task_id uuid`);
    await q.query(`CREATE INDEX timer_task ON timer (task_id) WHERE task_id IS NOT NULL AND state = 'pending'`);
    await q.query(`CREATE INDEX timer_start ON timer (definition_id) WHERE kind = 'start' AND state = 'pending'`);
    await q.query(`ALTER TABLE user_task ADD COLUMN escalated_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_task DROP COLUMN escalated_at`);
    await q.query(`DROP INDEX timer_start`);
    await q.query(`DROP INDEX timer_task`);
    await q.query(`ALTER TABLE timer DROP COLUMN task_id`);
    await q.query(`ALTER TABLE timer DROP COLUMN kind`);
  }
}
