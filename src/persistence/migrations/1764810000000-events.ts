import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signals and messages (src/events/, docs/integrators.md):
 * - `subscription.seq`: a strictly increasing number per subscription row, so a signal broadcast
 *   can walk the subscriptions that existed when it began with a keyset cursor (and never reach
 *   the ones its own deliveries open, nor fire a non-interrupting subscription twice).
 * - `message`: messages buffered with a TTL until a matching subscription opens, and the
 *   `messageId`s already accepted (deduplication window).
 * - `signal_broadcast` (+ `_part`): one row per broadcast and per part of it; a part's cursor
 *   advances in the same transaction as each chunk of deliveries, so a crash midway resumes where it stopped.
 * - `start_subscription`: the message/signal start events of the latest version of every process
 *   key, with their names evaluated; `start_subscription_source` says which version they reflect.
 */
export class Events1764810000000 implements MigrationInterface {
  name = 'Events1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscription ADD COLUMN seq bigserial`);
    await q.query(`CREATE INDEX subscription_signal_fanout ON subscription (name, seq) WHERE state = 'open' AND event_type = 'signal'`);

    await q.query(`
      CREATE TABLE message (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        message_id text,
        correlation_key text,
        business_key text,
        process_instance_id uuid,
        variables jsonb NOT NULL DEFAULT '{}',
        state text NOT NULL CHECK (state IN ('buffered','correlated','expired')),
        expires_at timestamptz,
        keep_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        correlated_at timestamptz,
        correlated_instance_id uuid,
        correlated_element_id text
      )`);
    // Deduplication: a messageId is accepted once per message name while its row is kept.
    await q.query(`CREATE UNIQUE INDEX message_dedupe ON message (name, message_id) WHERE message_id IS NOT NULL`);
    await q.query(`CREATE INDEX message_buffered ON message (name, correlation_key, created_at) WHERE state = 'buffered'`);
    await q.query(`CREATE INDEX message_keep_until ON message (keep_until)`);

    await q.query(`
      CREATE TABLE signal_broadcast (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}',
        source text NOT NULL,
        state text NOT NULL CHECK (state IN ('running','done')),
        upto_seq bigint NOT NULL,
        parts integer NOT NULL CHECK (parts > 0),
        started integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    // A throw event's outbox row may be published twice (crash before it is marked): one broadcast.
    await q.query(`CREATE UNIQUE INDEX signal_broadcast_source ON signal_broadcast (source)`);
    // A broadcast fans out in parts (subscriptions split by a hash of their root instance), each
    // with its own cursor and lease, so parts run in parallel without sharing a lock.
    await q.query(`
      CREATE TABLE signal_broadcast_part (
        broadcast_id uuid NOT NULL REFERENCES signal_broadcast(id) ON DELETE CASCADE,
        part integer NOT NULL,
        cursor_seq bigint NOT NULL DEFAULT 0,
        delivered integer NOT NULL DEFAULT 0,
        done boolean NOT NULL DEFAULT false,
        lease_until timestamptz NOT NULL,
        PRIMARY KEY (broadcast_id, part)
      )`);
    await q.query(`CREATE INDEX signal_broadcast_part_stale ON signal_broadcast_part (lease_until) WHERE NOT done`);

    await q.query(`
      CREATE TABLE start_subscription (
        definition_id uuid NOT NULL REFERENCES process_definition(id),
        definition_key text NOT NULL,
        element_id text NOT NULL,
        event_type text NOT NULL CHECK (event_type IN ('message','signal')),
        name text NOT NULL,
        PRIMARY KEY (definition_id, element_id)
      )`);
    await q.query(`CREATE INDEX start_subscription_name ON start_subscription (event_type, name)`);
    await q.query(`CREATE INDEX start_subscription_key ON start_subscription (definition_key)`);
    await q.query(`
      CREATE TABLE start_subscription_source (
        definition_key text PRIMARY KEY,
        definition_id uuid NOT NULL REFERENCES process_definition(id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['start_subscription_source', 'start_subscription', 'signal_broadcast_part', 'signal_broadcast', 'message']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX subscription_signal_fanout`);
    await q.query(`ALTER TABLE subscription DROP COLUMN seq`);
  }
}
