import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { InstanceStatusColumn } from './runtime-rows.js';

export interface InstanceSummaryRow {
  id: string;
  definitionId: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: InstanceStatusColumn;
  parentInstanceId: string | null;
  rootInstanceId: string;
  startedBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  state: unknown;
}

export interface InstanceFilter {
  definitionKey?: string;
  businessKey?: string;
  state?: InstanceStatusColumn;
  page: number;
  size: number;
}

export interface HistoryEventRow {
  id: string;
  at: Date;
  type: string;
  elementId: string | null;
  elementInstanceId: string | null;
  actor: string | null;
  data: Record<string, unknown> | null;
}

export interface IncidentQueryRow {
  id: string;
  processInstanceId: string;
  elementId: string;
  type: string;
  message: string;
  jobKey: string | null;
  state: 'open' | 'resolved';
  createdAt: Date;
  resolvedAt: Date | null;
}

const SUMMARY_COLUMNS = `id, definition_id AS "definitionId", definition_key AS "definitionKey", definition_version AS "definitionVersion",
  business_key AS "businessKey", status, parent_instance_id AS "parentInstanceId", root_instance_id AS "rootInstanceId",
  started_by AS "startedBy", started_at AS "startedAt", ended_at AS "endedAt"`;

/** Read side of process instances for the API (the write side is RuntimeTransaction). */
@Injectable()
export class InstanceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(id: string): Promise<InstanceSummaryRow | null> {
    const rows: InstanceSummaryRow[] = await this.dataSource.query(`SELECT ${SUMMARY_COLUMNS}, state FROM process_instance WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Whether the user holds, was offered or completed a task of the instance (they may then read it). */
  async hasTaskOf(instanceId: string, userId: string, groups: readonly string[]): Promise<boolean> {
    const rows: { found: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (
         SELECT 1 FROM user_task
         WHERE process_instance_id = $1 AND (assignee = $2 OR completed_by = $2 OR candidate_users @> ARRAY[$2]::text[] OR candidate_groups && $3::text[])
       ) AS found`,
      [instanceId, userId, [...groups]],
    );
    return rows[0]?.found === true;
  }

  /** Listing leaves out the state document; the variables come from it, so it is projected to them. */
  async list(filter: InstanceFilter): Promise<{ items: InstanceSummaryRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.definitionKey !== undefined) where.push(`definition_key = $${params.push(filter.definitionKey)}`);
    if (filter.businessKey !== undefined) where.push(`business_key = $${params.push(filter.businessKey)}`);
    if (filter.state !== undefined) where.push(`status = $${params.push(filter.state)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM process_instance ${clause}`, params);
    const items: InstanceSummaryRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, jsonb_build_object('variables', state->'variables') AS state FROM process_instance ${clause}
       ORDER BY started_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.size, (filter.page - 1) * filter.size],
    );
    return { items, total };
  }

  history(instanceId: string): Promise<HistoryEventRow[]> {
    return this.dataSource.query(
      `SELECT id::text AS id, at, type, element_id AS "elementId", element_instance_id AS "elementInstanceId", actor, data
       FROM history_event WHERE process_instance_id = $1 ORDER BY history_event.id`,
      [instanceId],
    );
  }

  /** Element ids that completed at least once (for a diagram viewer to colour). */
  async completedElementIds(instanceId: string): Promise<string[]> {
    const rows: { elementId: string }[] = await this.dataSource.query(
      `SELECT DISTINCT element_id AS "elementId" FROM history_event WHERE process_instance_id = $1 AND type = 'element.left' AND element_id IS NOT NULL ORDER BY 1`,
      [instanceId],
    );
    return rows.map((r) => r.elementId);
  }

  async definitionXml(definitionId: string): Promise<string | null> {
    const rows: { xml: string }[] = await this.dataSource.query('SELECT xml FROM process_definition WHERE id = $1', [definitionId]);
    return rows[0]?.xml ?? null;
  }

  async incidents(filter: { processInstanceId?: string; state?: 'open' | 'resolved'; page: number; size: number }): Promise<{ items: IncidentQueryRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.processInstanceId !== undefined) where.push(`process_instance_id = $${params.push(filter.processInstanceId)}`);
    if (filter.state !== undefined) where.push(`state = $${params.push(filter.state)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM incident ${clause}`, params);
    const items: IncidentQueryRow[] = await this.dataSource.query(
      `SELECT id, process_instance_id AS "processInstanceId", element_id AS "elementId", type, message, job_key AS "jobKey", state,
              created_at AS "createdAt", resolved_at AS "resolvedAt"
       FROM incident ${clause} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.size, (filter.page - 1) * filter.size],
    );
    return { items, total };
  }

  async countOpenIncidents(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM incident WHERE state = 'open'`);
    return (row as { n: number }).n;
  }

  async incident(id: string): Promise<IncidentQueryRow | null> {
    const rows: IncidentQueryRow[] = await this.dataSource.query(
      `SELECT id, process_instance_id AS "processInstanceId", element_id AS "elementId", type, message, job_key AS "jobKey", state,
              created_at AS "createdAt", resolved_at AS "resolvedAt" FROM incident WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
