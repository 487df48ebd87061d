import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface DirectoryUserRow {
  id: string;
  name: string | null;
  email: string | null;
  groups: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface DirectoryGroupRow {
  id: string;
  name: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const USER_COLUMNS = `u.id, u.name, u.email, u.created_at AS "createdAt", u.updated_at AS "updatedAt",
  COALESCE((SELECT array_agg(m.group_id ORDER BY m.group_id) FROM directory_membership m WHERE m.user_id = u.id), '{}') AS groups`;
const GROUP_COLUMNS = `g.id, g.name, g.created_at AS "createdAt", g.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM directory_membership m WHERE m.group_id = g.id) AS "memberCount"`;

/** Users, groups and memberships: the directory behind `/api/users`, `/api/groups` and each caller's groups. */
@Injectable()
export class DirectoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // Statements whose rows matter are SELECTs (data-modifying ones wrapped in a CTE): TypeORM returns
  // [rows, count] instead of rows for a top-level UPDATE or DELETE.
  private query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params) as Promise<T[]>;
  }

  /** Called on every authenticated request: one primary-key range read. */
  async groupsOf(userId: string): Promise<string[]> {
    const rows = await this.query<{ groupId: string }>('SELECT group_id AS "groupId" FROM directory_membership WHERE user_id = $1 ORDER BY group_id', [userId]);
    return rows.map((row) => row.groupId);
  }

  // ── users ──

  async listUsers(filter: { q?: string; group?: string; page: number; size: number }): Promise<{ items: DirectoryUserRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.q !== undefined) {
      const p = `$${params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
      where.push(`(u.id ILIKE ${p} OR u.name ILIKE ${p} OR u.email ILIKE ${p})`);
    }
    if (filter.group !== undefined) where.push(`EXISTS (SELECT 1 FROM directory_membership m WHERE m.user_id = u.id AND m.group_id = $${params.push(filter.group)})`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [items, counted] = await Promise.all([
      this.query<DirectoryUserRow>(`SELECT ${USER_COLUMNS} FROM directory_user u ${clause} ORDER BY u.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
        ...params,
        filter.size,
        (filter.page - 1) * filter.size,
      ]),
      this.query<{ total: number }>(`SELECT count(*)::int AS total FROM directory_user u ${clause}`, params),
    ]);
    return { items, total: counted[0]?.total ?? 0 };
  }

  async findUser(id: string): Promise<DirectoryUserRow | null> {
    const rows = await this.query<DirectoryUserRow>(`SELECT ${USER_COLUMNS} FROM directory_user u WHERE u.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** False when the id is taken. */
  async createUser(user: { id: string; name: string | null; email: string | null }): Promise<boolean> {
    const rows = await this.query('INSERT INTO directory_user (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id', [user.id, user.name, user.email]);
    return rows.length > 0;
  }

  /** Inserts or updates (seed files); `undefined` fields keep their stored value. */
  async upsertUser(user: { id: string; name?: string | null; email?: string | null }): Promise<void> {
    await this.query(
      `INSERT INTO directory_user (id, name, email) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = CASE WHEN $4 THEN EXCLUDED.name ELSE directory_user.name END,
         email = CASE WHEN $5 THEN EXCLUDED.email ELSE directory_user.email END, updated_at = now()`,
      [user.id, user.name ?? null, user.email ?? null, user.name !== undefined, user.email !== undefined],
    );
  }

  /** False when the user does not exist. `undefined` fields are left alone. */
  async updateUser(id: string, changes: { name?: string | null; email?: string | null }): Promise<boolean> {
    const rows = await this.query(
      `WITH changed AS (UPDATE directory_user SET name = CASE WHEN $2 THEN $3 ELSE name END, email = CASE WHEN $4 THEN $5 ELSE email END, updated_at = now()
       WHERE id = $1 RETURNING id) SELECT id FROM changed`,
      [id, changes.name !== undefined, changes.name ?? null, changes.email !== undefined, changes.email ?? null],
    );
    return rows.length > 0;
  }

  async deleteUser(id: string): Promise<boolean> {
    const rows = await this.query('WITH gone AS (DELETE FROM directory_user WHERE id = $1 RETURNING id) SELECT id FROM gone', [id]);
    return rows.length > 0;
  }

  // ── groups ──

  async listGroups(filter: { q?: string; page: number; size: number }): Promise<{ items: DirectoryGroupRow[]; total: number }> {
    const params: unknown[] = [];
    const clause =
      filter.q !== undefined
        ? `WHERE (g.id ILIKE $${params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} OR g.name ILIKE $1)`
        : '';
    const [items, counted] = await Promise.all([
      this.query<DirectoryGroupRow>(`SELECT ${GROUP_COLUMNS} FROM directory_group g ${clause} ORDER BY g.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
        ...params,
        filter.size,
        (filter.page - 1) * filter.size,
      ]),
      this.query<{ total: number }>(`SELECT count(*)::int AS total FROM directory_group g ${clause}`, params),
    ]);
    return { items, total: counted[0]?.total ?? 0 };
  }

  async findGroup(id: string): Promise<DirectoryGroupRow | null> {
    const rows = await this.query<DirectoryGroupRow>(`SELECT ${GROUP_COLUMNS} FROM directory_group g WHERE g.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async createGroup(group: { id: string; name: string | null }): Promise<boolean> {
    const rows = await this.query('INSERT INTO directory_group (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id', [group.id, group.name]);
    return rows.length > 0;
  }

  async upsertGroup(group: { id: string; name?: string | null }): Promise<void> {
    await this.query(
      `INSERT INTO directory_group (id, name) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET name = CASE WHEN $3 THEN EXCLUDED.name ELSE directory_group.name END, updated_at = now()`,
      [group.id, group.name ?? null, group.name !== undefined],
    );
  }

  async updateGroup(id: string, changes: { name?: string | null }): Promise<boolean> {
    const rows = await this.query('WITH changed AS (UPDATE directory_group SET name = CASE WHEN $2 THEN $3 ELSE name END, updated_at = now() WHERE id = $1 RETURNING id) SELECT id FROM changed', [
      id,
      changes.name !== undefined,
      changes.name ?? null,
    ]);
    return rows.length > 0;
  }

  async deleteGroup(id: string): Promise<boolean> {
    const rows = await this.query('WITH gone AS (DELETE FROM directory_group WHERE id = $1 RETURNING id) SELECT id FROM gone', [id]);
    return rows.length > 0;
  }

  // ── memberships ──

  /**
   * Adds the user to the group. 'added', 'exists' (already a member), or which side is missing.
   * One statement, so a concurrent delete of either side cannot leave a dangling row.
   */
  async addMember(groupId: string, userId: string): Promise<'added' | 'exists' | 'no-user' | 'no-group'> {
    const rows = await this.query<{ userExists: boolean; groupExists: boolean; inserted: boolean }>(
      `WITH ins AS (
         INSERT INTO directory_membership (user_id, group_id)
         SELECT u.id, g.id FROM directory_user u, directory_group g WHERE u.id = $1 AND g.id = $2
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM directory_user WHERE id = $1) AS "userExists",
              EXISTS (SELECT 1 FROM directory_group WHERE id = $2) AS "groupExists",
              EXISTS (SELECT 1 FROM ins) AS inserted`,
      [userId, groupId],
    );
    const row = rows[0]!;
    if (!row.groupExists) return 'no-group';
    if (!row.userExists) return 'no-user';
    return row.inserted ? 'added' : 'exists';
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    const rows = await this.query('WITH gone AS (DELETE FROM directory_membership WHERE user_id = $1 AND group_id = $2 RETURNING user_id) SELECT user_id FROM gone', [userId, groupId]);
    return rows.length > 0;
  }

  async members(groupId: string, page: number, size: number): Promise<{ items: DirectoryUserRow[]; total: number }> {
    return this.listUsers({ group: groupId, page, size });
  }
}
