import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { InstanceStatusColumn } from './runtime-rows.js';

export type JobState = 'pending' | 'completed' | 'failed' | 'canceled';

/** What a BullMQ job is built from: the job row plus the instance's keys. */
export interface DispatchRow {
  key: string;
  processInstanceId: string;
  elementId: string;
  type: string;
  retries: number;
  headers: Record<string, string>;
  variables: Record<string, unknown>;
  state: JobState;
  businessKey: string | null;
  definitionKey: string;
  /** Root of the instance's call hierarchy: the row a command on this job locks. */
  rootInstanceId: string;
}

/** A pending job claimed by a reconciler pass. */
export interface ReconcileRow {
  key: string;
  processInstanceId: string;
  rootInstanceId: string;
  type: string;
}

/**
 * SQL of the job transport (src/jobs). The job rows themselves are written by the runtime in each
 * engine step; this side only reads them to publish, and leases them for reconciliation.
 */
@Injectable()
export class JobRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The rows behind `job.dispatch` outbox messages, in one statement for a whole batch. */
  async dispatchRows(keys: readonly string[]): Promise<DispatchRow[]> {
    if (keys.length === 0) return [];
    return this.dataSource.query(
      `SELECT j.key, j.process_instance_id AS "processInstanceId", j.element_id AS "elementId", j.type, j.retries, j.headers, j.variables,
              j.state, p.business_key AS "businessKey", p.definition_key AS "definitionKey", p.root_instance_id AS "rootInstanceId"
       FROM job j JOIN process_instance p ON p.id = j.process_instance_id
       WHERE j.key = ANY($1::uuid[])`,
      [keys],
    );
  }

  /** Of these keys, the ones still pending. */
  async pendingKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: { key: string }[] = await this.dataSource.query(`SELECT key FROM job WHERE key = ANY($1::uuid[]) AND state = 'pending'`, [keys]);
    return new Set(rows.map((row) => row.key));
  }

  /**
   * Claims up to `limit` pending jobs that are due for a check and pushes their next check back
   * (the lease): half the job's age, at least `minLeaseSeconds`, at most `maxLeaseSeconds`, so a
   * job that waits for days on a slow worker costs a look every few minutes, not every pass.
   * SKIP LOCKED: replicas running the same pass take disjoint rows and never wait on each other
   * or on an engine step that is completing one of these jobs.
   */
  async claimDue(limit: number, graceSeconds: number, minLeaseSeconds: number, maxLeaseSeconds: number): Promise<ReconcileRow[]> {
    const rows: ReconcileRow[] = await this.dataSource.query(
      `UPDATE job j SET next_check_at = now() + make_interval(secs => least($4::float8, greatest($3::float8,
           extract(epoch FROM now() - j.created_at) / 2)))
       FROM process_instance p
       WHERE p.id = j.process_instance_id AND j.key IN (
         SELECT key FROM job
         WHERE state = 'pending'
           AND (next_check_at <= now() OR (next_check_at IS NULL AND created_at <= now() - make_interval(secs => $2::float8)))
         ORDER BY next_check_at NULLS FIRST, created_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING j.key, j.process_instance_id AS "processInstanceId", p.root_instance_id AS "rootInstanceId", j.type`,
      [limit, graceSeconds, minLeaseSeconds, maxLeaseSeconds],
    );
    // node-postgres returns [rows, count] for UPDATE … RETURNING through TypeORM's query().
    return Array.isArray(rows[0]) ? (rows[0] as unknown as ReconcileRow[]) : rows;
  }

  /** Makes every pending job due now (after Redis lost its data, every one of them must be checked). */
  async makeAllDue(): Promise<number> {
    const result = await this.dataSource.query(`UPDATE job SET next_check_at = now() WHERE state = 'pending'`);
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  async instanceStatus(instanceId: string): Promise<InstanceStatusColumn | null> {
    const rows: { status: InstanceStatusColumn }[] = await this.dataSource.query('SELECT status FROM process_instance WHERE id = $1', [instanceId]);
    return rows[0]?.status ?? null;
  }
}
