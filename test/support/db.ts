import pg from 'pg';

/** Direct SQL on a test app's database, for assertions on rows the API does not expose (yet). */
export class TestDb {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  }

  async rows<T = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async pendingJobs(instanceId: string): Promise<{ key: string; elementId: string; type: string; variables: Record<string, unknown> }[]> {
    return this.rows(
      `SELECT key, element_id AS "elementId", type, variables FROM job WHERE process_instance_id = $1 AND state = 'pending' ORDER BY created_at, element_id`,
      [instanceId],
    );
  }

  async openTasks(instanceId: string): Promise<{ id: string; elementId: string; elementInstanceId: string; candidateGroups: string[]; assignee: string | null }[]> {
    return this.rows(
      `SELECT id, element_id AS "elementId", element_instance_id AS "elementInstanceId", candidate_groups AS "candidateGroups", assignee FROM user_task
       WHERE process_instance_id = $1 AND state = 'open' ORDER BY created_at, element_id`,
      [instanceId],
    );
  }

  async historyCount(instanceId: string, type: string, elementId: string): Promise<number> {
    const [row] = await this.rows<{ n: number }>(
      'SELECT count(*)::int AS n FROM history_event WHERE process_instance_id = $1 AND type = $2 AND element_id = $3',
      [instanceId, type, elementId],
    );
    return row!.n;
  }

  /** An element instance's local variables from the engine state (e.g. a multi-instance element variable). */
  async localVariables(instanceId: string, elementInstanceId: string): Promise<Record<string, unknown>> {
    const [row] = await this.rows<{ v: Record<string, unknown> | null }>(
      `SELECT state->'elements'->$2->'variables' AS v FROM process_instance WHERE id = $1`,
      [instanceId, elementInstanceId],
    );
    return row?.v ?? {};
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
