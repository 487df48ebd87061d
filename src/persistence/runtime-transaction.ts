import type { QueryRunner } from 'typeorm';
import { conflict } from '../common/domain-error.js';
import { EventStatements } from './event-statements.js';
import type { InstanceRow, InstanceStatusColumn, RowBatch } from './runtime-rows.js';

export interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  deploymentId: string;
  model: unknown;
}

/** The typed SQL of one engine step. Every statement is parameterised; table names are constants. */
export class RuntimeTransaction {
  private eventStatements: EventStatements | null = null;

  constructor(private readonly runner: QueryRunner) {}

  /**
   * The connection of this transaction, for statement classes of other modules whose rows must
   * change in the same transaction as the engine step (start timers flip while their instance starts).
   */
  get queryRunner(): QueryRunner {
    return this.runner;
  }

  /** Signal and message statements on this transaction's connection (src/events). */
  get events(): EventStatements {
    return (this.eventStatements ??= new EventStatements(this.runner));
  }

  private query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.runner.query(sql, params) as Promise<T[]>;
  }

  /** The root of an instance's call hierarchy: the row every command of the hierarchy locks. */
  async rootOf(instanceId: string): Promise<string | null> {
    const rows = await this.query<{ root: string }>('SELECT root_instance_id AS root FROM process_instance WHERE id = $1', [instanceId]);
    return rows[0]?.root ?? null;
  }

  /**
   * Locks the root of `instanceId`'s call hierarchy and returns the root's row, in one statement
   * (a command on a root instance, the usual case, needs no further read to load itself).
   */
  async lockRootOf(instanceId: string): Promise<InstanceRow | null> {
    const rows = await this.query<InstanceRow>(`${INSTANCE_SELECT} WHERE id = (SELECT root_instance_id FROM process_instance WHERE id = $1) FOR UPDATE`, [instanceId]);
    return rows[0] ?? null;
  }

  /** Locks several roots in one statement, in id order (two lockers of overlapping sets cannot deadlock); returns their rows. */
  async lockInstances(ids: readonly string[]): Promise<InstanceRow[]> {
    if (ids.length === 0) return [];
    return this.query<InstanceRow>(`${INSTANCE_SELECT} WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  async loadInstance(id: string): Promise<InstanceRow | null> {
    const rows = await this.query<InstanceRow>(`${INSTANCE_SELECT} WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async insertInstance(row: InstanceRow): Promise<void> {
    await this.query(
      `INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, root_instance_id,
         parent_instance_id, parent_element_instance_id, state, started_by, started_at, ended_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [row.id, row.definitionId, row.definitionKey, row.definitionVersion, row.businessKey, row.status, row.rootInstanceId,
        row.parentInstanceId, row.parentElementInstanceId, JSON.stringify(row.state), row.startedBy, row.startedAt, row.endedAt, row.updatedAt],
    );
  }

  async updateInstance(id: string, state: unknown, status: InstanceStatusColumn, endedAt: Date | null, now: Date): Promise<void> {
    await this.query('UPDATE process_instance SET state = $2, status = $3, ended_at = $4, updated_at = $5 WHERE id = $1', [
      id, JSON.stringify(state), status, endedAt, now,
    ]);
  }

  /** Many instance documents in one statement (a signal broadcast chunk). */
  async updateInstances(rows: readonly { id: string; state: unknown; status: InstanceStatusColumn; endedAt: Date | null }[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.query(
      `UPDATE process_instance p SET state = v.state, status = v.status, ended_at = v.ended_at, updated_at = $5
       FROM unnest($1::uuid[], $2::jsonb[], $3::text[], $4::timestamptz[]) AS v(id, state, status, ended_at) WHERE p.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => JSON.stringify(r.state)), rows.map((r) => r.status), rows.map((r) => r.endedAt), now],
    );
  }

  async definitionById(id: string): Promise<DefinitionRow | null> {
    return this.oneDefinition('WHERE id = $1', [id]);
  }

  async latestDefinition(key: string): Promise<DefinitionRow | null> {
    return this.oneDefinition('WHERE key = $1 ORDER BY version DESC LIMIT 1', [key]);
  }

  async definitionVersion(key: string, version: number): Promise<DefinitionRow | null> {
    return this.oneDefinition('WHERE key = $1 AND version = $2', [key, version]);
  }

  async definitionInDeployment(key: string, deploymentId: string): Promise<DefinitionRow | null> {
    return this.oneDefinition('WHERE key = $1 AND deployment_id = $2 ORDER BY version DESC LIMIT 1', [key, deploymentId]);
  }

  async definitionWithVersionTag(key: string, versionTag: string): Promise<DefinitionRow | null> {
    return this.oneDefinition(`WHERE key = $1 AND model->>'versionTag' = $2 ORDER BY version DESC LIMIT 1`, [key, versionTag]);
  }

  private async oneDefinition(where: string, params: unknown[]): Promise<DefinitionRow | null> {
    const rows = await this.query<DefinitionRow>(
      `SELECT id, key, version, deployment_id AS "deploymentId", model FROM process_definition ${where}`,
      params,
    );
    return rows[0] ?? null;
  }

  /** Writes a step's projections: a few multi-row statements instead of one per row. */
  async flush(batch: RowBatch, now: Date): Promise<void> {
    if (batch.userTasks.length > 0) {
      await this.insertMany(
        'user_task',
        ['id', 'process_instance_id', 'element_id', 'element_instance_id', 'name', 'definition_key', 'business_key', 'state', 'assignee',
          'candidate_groups', 'candidate_users', 'priority', 'due_at', 'follow_up_at', 'form_key', 'form', 'headers', 'created_at'],
        batch.userTasks.map((t) => [t.id, t.processInstanceId, t.elementId, t.elementInstanceId, t.name, t.definitionKey, t.businessKey, 'open',
          t.assignee, t.candidateGroups, t.candidateUsers, t.priority, t.dueAt, t.followUpAt, t.formKey, json(t.form), json(t.headers), t.createdAt]),
      );
    }
    // Timers first: a task created and ended in one step takes its new deadline rows with it.
    if (batch.timers.length > 0) {
      await this.insertMany(
        'timer',
        ['key', 'kind', 'task_id', 'process_instance_id', 'definition_id', 'element_id', 'element_instance_id', 'due_at', 'state', 'timer', 'created_at'],
        batch.timers.map((t) => [t.key, t.kind ?? 'engine', t.taskId ?? null, t.processInstanceId, t.definitionId, t.elementId, t.elementInstanceId, t.dueAt, 'pending', json(t.timer), t.createdAt]),
      );
    }
    // An ended task's pending deadlines (reminders, escalation) go with it, in the same statement.
    if (batch.canceledUserTasks.length > 0) {
      await this.query(
        `WITH ended AS (UPDATE user_task SET state = 'canceled', ended_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'open' RETURNING id)
         UPDATE timer SET state = 'canceled' WHERE task_id IN (SELECT id FROM ended) AND state = 'pending'`,
        [batch.canceledUserTasks, now],
      );
    }
    for (const task of batch.completedUserTasks) {
      // A worklist completion (the command names its user) needs that user to hold the task still:
      // an admin's reassignment or unclaim, or an escalation, that committed after the worklist
      // checked the holder rolls the whole step back (409) instead of completing it in their name.
      const [done] = await this.query<{ completed: number }>(
        `WITH ended AS (
           UPDATE user_task SET state = 'completed', ended_at = $2, completed_by = $3
           WHERE id = $1 AND state = 'open' AND ($4::text IS NULL OR assignee = $4::text) RETURNING id
         ), deadlines AS (
           UPDATE timer SET state = 'canceled' WHERE task_id IN (SELECT id FROM ended) AND state = 'pending'
         )
         SELECT count(*)::int AS completed FROM ended`,
        [task.id, now, task.actor, task.holder],
      );
      if (done?.completed !== 1) throw conflict(`Task ${task.id} was reassigned while it was being completed`);
    }
    if (batch.jobs.length > 0) {
      await this.insertMany(
        'job',
        ['key', 'process_instance_id', 'element_id', 'element_instance_id', 'type', 'retries', 'headers', 'variables', 'state', 'created_at'],
        batch.jobs.map((j) => [j.key, j.processInstanceId, j.elementId, j.elementInstanceId, j.type, j.retries, json(j.headers), json(j.variables), 'pending', j.createdAt]),
      );
    }
    for (const state of ['completed', 'failed', 'canceled'] as const) {
      const keys = batch.endedJobs.filter((j) => j.state === state).map((j) => j.key);
      if (keys.length > 0) {
        await this.query(`UPDATE job SET state = $2, ended_at = $3 WHERE key = ANY($1::uuid[]) AND state = 'pending'`, [keys, state, now]);
      }
    }
    if (batch.canceledTimers.length > 0) {
      await this.query(`UPDATE timer SET state = 'canceled' WHERE key = ANY($1::uuid[]) AND state = 'pending'`, [batch.canceledTimers]);
    }
    if (batch.firedTimers.length > 0) {
      await this.query(`UPDATE timer SET state = 'fired', fired_at = $2, locked_until = NULL WHERE key = ANY($1::uuid[]) AND state = 'pending'`, [batch.firedTimers, now]);
    }
    if (batch.subscriptions.length > 0) {
      await this.insertMany(
        'subscription',
        ['key', 'process_instance_id', 'definition_id', 'event_type', 'name', 'correlation_key', 'element_id', 'element_instance_id', 'interrupting', 'state', 'created_at'],
        batch.subscriptions.map((s) => [s.key, s.processInstanceId, s.definitionId, s.eventType, s.name, s.correlationKey, s.elementId, s.elementInstanceId, s.interrupting, 'open', s.createdAt]),
      );
    }
    if (batch.closedSubscriptions.length > 0) {
      await this.query(`UPDATE subscription SET state = 'closed' WHERE key = ANY($1::uuid[]) AND state = 'open'`, [batch.closedSubscriptions]);
    }
    if (batch.incidents.length > 0) {
      await this.insertMany(
        'incident',
        ['id', 'process_instance_id', 'element_id', 'element_instance_id', 'type', 'message', 'job_key', 'state', 'created_at'],
        batch.incidents.map((i) => [i.id, i.processInstanceId, i.elementId, i.elementInstanceId, i.type, i.message, i.jobKey, 'open', i.createdAt]),
      );
    }
    if (batch.resolvedIncidents.length > 0) {
      await this.query(`UPDATE incident SET state = 'resolved', resolved_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'open'`, [batch.resolvedIncidents, now]);
    }
    if (batch.outbox.length > 0) {
      await this.insertMany(
        'outbox',
        ['kind', 'process_instance_id', 'payload', 'created_at'],
        batch.outbox.map((o) => [o.kind, o.processInstanceId, json(o.payload), o.createdAt]),
      );
    }
    if (batch.correlatedMessages.length > 0) await this.events.markCorrelated(batch.correlatedMessages, now);
    if (batch.history.length > 0) {
      await this.insertMany(
        'history_event',
        ['process_instance_id', 'at', 'type', 'element_id', 'element_instance_id', 'actor', 'data'],
        batch.history.map((h) => [h.processInstanceId, h.at, h.type, h.elementId, h.elementInstanceId, h.actor, json(h.data)]),
      );
    }
  }

  /** One INSERT … VALUES (…),(…) per table, chunked below PostgreSQL's 65,535-parameter limit. */
  private async insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    const perStatement = Math.max(1, Math.floor(60_000 / columns.length));
    for (let offset = 0; offset < rows.length; offset += perStatement) {
      const chunk = rows.slice(offset, offset + perStatement);
      const params: unknown[] = [];
      const values = chunk.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(',')})`);
      await this.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${values.join(',')}`, params);
    }
  }
}

const INSTANCE_SELECT = `SELECT id, definition_id AS "definitionId", definition_key AS "definitionKey", definition_version AS "definitionVersion",
  business_key AS "businessKey", status, root_instance_id AS "rootInstanceId", parent_instance_id AS "parentInstanceId",
  parent_element_instance_id AS "parentElementInstanceId", state, started_by AS "startedBy", started_at AS "startedAt",
  ended_at AS "endedAt", updated_at AS "updatedAt" FROM process_instance`;

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
