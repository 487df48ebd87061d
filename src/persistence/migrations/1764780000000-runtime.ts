import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runtime tables. The engine state of an instance is one jsonb document (`state`), locked and
 * rewritten per command; the other tables are projections of its effects that workers, inboxes,
 * pollers and the API query: user tasks, jobs, timers, subscriptions, incidents, the outbox of
 * things to send after commit, and the audit trail.
 */
export class Runtime1764780000000 implements MigrationInterface {
  name = 'Runtime1764780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE process_instance (
        id uuid PRIMARY KEY,
        definition_id uuid NOT NULL REFERENCES process_definition(id),
        definition_key text NOT NULL,
        definition_version integer NOT NULL,
        business_key text,
        status text NOT NULL CHECK (status IN ('active','completed','terminated','canceled','suspended','incident')),
        root_instance_id uuid NOT NULL,
        parent_instance_id uuid,
        parent_element_instance_id text,
        state jsonb NOT NULL,
        started_by text,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX process_instance_key_started ON process_instance (definition_key, started_at DESC)`);
    await q.query(`CREATE INDEX process_instance_status_started ON process_instance (status, started_at DESC)`);
    await q.query(`CREATE INDEX process_instance_business_key ON process_instance (business_key) WHERE business_key IS NOT NULL`);
    await q.query(`CREATE INDEX process_instance_parent ON process_instance (parent_instance_id) WHERE parent_instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX process_instance_started ON process_instance (started_at DESC, id)`);

    await q.query(`
      CREATE TABLE user_task (
        id uuid PRIMARY KEY,
        process_instance_id uuid NOT NULL REFERENCES process_instance(id),
        element_id text NOT NULL,
        element_instance_id text NOT NULL,
        name text,
        definition_key text NOT NULL,
        business_key text,
        state text NOT NULL CHECK (state IN ('open','completed','canceled')),
        assignee text,
        candidate_groups text[] NOT NULL DEFAULT '{}',
        candidate_users text[] NOT NULL DEFAULT '{}',
        priority integer NOT NULL DEFAULT 50,
        due_at timestamptz,
        follow_up_at timestamptz,
        form_key text,
        form jsonb,
        headers jsonb NOT NULL DEFAULT '{}',
        escalated boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        ended_at timestamptz,
        completed_by text
      )`);
    await q.query(`CREATE INDEX user_task_instance ON user_task (process_instance_id)`);

    await q.query(`
      CREATE TABLE job (
        key uuid PRIMARY KEY,
        process_instance_id uuid NOT NULL REFERENCES process_instance(id),
        element_id text NOT NULL,
        element_instance_id text NOT NULL,
        type text NOT NULL,
        retries integer NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        variables jsonb NOT NULL DEFAULT '{}',
        state text NOT NULL CHECK (state IN ('pending','completed','failed','canceled')),
        created_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX job_pending ON job (type, created_at) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX job_instance ON job (process_instance_id)`);

    await q.query(`
      CREATE TABLE timer (
        key uuid PRIMARY KEY,
        process_instance_id uuid REFERENCES process_instance(id),
        definition_id uuid REFERENCES process_definition(id),
        element_id text NOT NULL,
        element_instance_id text,
        due_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('pending','fired','canceled')),
        timer jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX timer_due ON timer (due_at) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX timer_instance ON timer (process_instance_id)`);

    await q.query(`
      CREATE TABLE subscription (
        key uuid PRIMARY KEY,
        process_instance_id uuid REFERENCES process_instance(id),
        definition_id uuid REFERENCES process_definition(id),
        event_type text NOT NULL CHECK (event_type IN ('message','signal')),
        name text NOT NULL,
        correlation_key text,
        element_id text NOT NULL,
        element_instance_id text,
        interrupting boolean NOT NULL DEFAULT true,
        state text NOT NULL CHECK (state IN ('open','closed')),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX subscription_open ON subscription (event_type, name, correlation_key) WHERE state = 'open'`);
    await q.query(`CREATE INDEX subscription_instance ON subscription (process_instance_id)`);

    await q.query(`
      CREATE TABLE incident (
        id uuid PRIMARY KEY,
        process_instance_id uuid NOT NULL REFERENCES process_instance(id),
        element_id text NOT NULL,
        element_instance_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('job-failed','expression','uncaught-error')),
        message text NOT NULL,
        job_key uuid,
        state text NOT NULL CHECK (state IN ('open','resolved')),
        created_at timestamptz NOT NULL,
        resolved_at timestamptz
      )`);
    await q.query(`CREATE INDEX incident_open ON incident (created_at) WHERE state = 'open'`);
    await q.query(`CREATE INDEX incident_instance ON incident (process_instance_id)`);

    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        process_instance_id uuid,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_unpublished ON outbox (kind, id) WHERE published_at IS NULL`);

    await q.query(`
      CREATE TABLE history_event (
        id bigserial PRIMARY KEY,
        process_instance_id uuid NOT NULL,
        at timestamptz NOT NULL,
        type text NOT NULL,
        element_id text,
        element_instance_id text,
        actor text,
        data jsonb
      )`);
    await q.query(`CREATE INDEX history_event_instance ON history_event (process_instance_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['history_event', 'outbox', 'incident', 'subscription', 'timer', 'job', 'user_task', 'process_instance']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
