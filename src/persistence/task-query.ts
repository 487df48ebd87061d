// The SQL of task lists, built from a validated filter and the caller. Pure (no I/O) so the
// inbox benchmark runs and EXPLAINs exactly what the API runs. Every value is a bind parameter;
// only whitelisted identifiers (sort columns, states) are spliced into the text.

export type TaskStateName = 'open' | 'completed' | 'canceled';
export type TaskSort = 'created' | 'due' | 'priority' | 'name';
export type SortOrder = 'asc' | 'desc';

/** Who asks. Visibility rules read only this. */
export interface Viewer {
  readonly id: string;
  /** Token roles plus directory groups. */
  readonly groups: readonly string[];
  /** `admin` sees and may act on every task. */
  readonly admin: boolean;
}

export interface TaskFilter {
  /** A user id (the service resolves `me`); absent = no assignee restriction beyond the mode. */
  readonly assignee?: string;
  /** `assignee=any`: every visible task whoever holds it. */
  readonly anyAssignee?: boolean;
  readonly candidateGroup?: string;
  readonly unassigned?: boolean;
  readonly state: TaskStateName | 'all';
  readonly definitionKey?: string;
  readonly processInstanceId?: string;
  readonly businessKey?: string;
  readonly dueBefore?: Date;
  readonly dueAfter?: Date;
  readonly overdue?: boolean;
  readonly priorityMin?: number;
  readonly priorityMax?: number;
  readonly q?: string;
  readonly sort: TaskSort;
  readonly order: SortOrder;
  readonly page: number;
  readonly size: number;
  /** Reference time of `overdue`. */
  readonly now: Date;
}

export interface BuiltTaskQuery {
  readonly pageSql: string;
  readonly pageParams: unknown[];
  readonly countSql: string;
  readonly countParams: unknown[];
  /** Which structure answers the total: the counters, the inbox side table (index-only) or user_task itself. */
  readonly countSource: 'counters' | 'inbox' | 'tasks';
}

/** Columns of a task item, read from alias `t`. */
export const TASK_COLUMNS = `t.id, t.name, t.element_id AS "elementId", t.element_instance_id AS "elementInstanceId",
  t.process_instance_id AS "processInstanceId", t.definition_key AS "definitionKey", t.business_key AS "businessKey",
  t.assignee, t.candidate_groups AS "candidateGroups", t.candidate_users AS "candidateUsers", t.state, t.priority,
  t.due_at AS "dueAt", t.follow_up_at AS "followUpAt", t.created_at AS "createdAt", t.ended_at AS "endedAt",
  t.completed_by AS "completedBy", t.form_key AS "formKey", t.escalated, t.escalated_at AS "escalatedAt"`;

const SORT_COLUMNS: Record<TaskSort, string> = { created: 'created_at', due: 'due_at', priority: 'priority', name: 'name' };

export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** No filter narrows by assignment: the caller's default inbox. */
export function isInboxMode(filter: Pick<TaskFilter, 'assignee' | 'anyAssignee' | 'candidateGroup' | 'unassigned'>): boolean {
  return filter.assignee === undefined && !filter.anyAssignee && filter.candidateGroup === undefined && filter.unassigned === undefined;
}

/** Tasks offered to or held by the viewer (the rule of GET/claim/complete: 403 outside it). */
export function visibleClause(viewer: Viewer, params: SqlParams, alias = 't'): string {
  if (viewer.admin) return 'TRUE';
  const me = params.add(viewer.id);
  return `(${alias}.assignee = ${me} OR ${alias}.candidate_users @> ARRAY[${me}]::text[] OR ${alias}.candidate_groups && ${params.add([...viewer.groups])}::text[])`;
}

/** What the default inbox shows: held by the viewer, or unassigned and offered to them. */
function inboxClause(viewer: Viewer, params: SqlParams): string {
  const me = params.add(viewer.id);
  if (viewer.admin) return `(t.assignee IS NULL OR t.assignee = ${me})`;
  // Three OR arms, each answerable by one index (assignee btree, users GIN, groups GIN).
  return `(t.assignee = ${me} OR (t.assignee IS NULL AND t.candidate_users @> ARRAY[${me}]::text[]) OR (t.assignee IS NULL AND t.candidate_groups && ${params.add([...viewer.groups])}::text[]))`;
}

/** The principals whose rows in user_task_inbox make up the viewer's inbox. */
export function inboxKeys(viewer: Viewer): string[] {
  return [`u:${viewer.id}`, ...new Set(viewer.groups.map((group) => `g:${group}`))];
}

export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function buildTaskQuery(filter: TaskFilter, viewer: Viewer): BuiltTaskQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (filter.state !== 'all') where.push(`t.state = '${filter.state}'`);
  const inbox = isInboxMode(filter);
  // A member of candidateGroup sees every task of that group: the group filter is the visibility.
  const teamMember = filter.candidateGroup !== undefined && viewer.groups.includes(filter.candidateGroup);
  if (inbox) where.push(inboxClause(viewer, params));
  else if (!viewer.admin && !teamMember) where.push(visibleClause(viewer, params));
  if (filter.assignee !== undefined) where.push(`t.assignee = ${params.add(filter.assignee)}`);
  if (filter.candidateGroup !== undefined) where.push(`t.candidate_groups @> ARRAY[${params.add(filter.candidateGroup)}]::text[]`);
  if (filter.unassigned !== undefined) where.push(filter.unassigned ? 't.assignee IS NULL' : 't.assignee IS NOT NULL');
  if (filter.definitionKey !== undefined) where.push(`t.definition_key = ${params.add(filter.definitionKey)}`);
  if (filter.processInstanceId !== undefined) where.push(`t.process_instance_id = ${params.add(filter.processInstanceId)}::uuid`);
  if (filter.businessKey !== undefined) where.push(`t.business_key = ${params.add(filter.businessKey)}`);
  where.push(...rangeClauses(filter, params, 't'));
  if (filter.q !== undefined) where.push(`t.name ILIKE ${params.add(likePattern(filter.q))}`);
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';

  const direction = filter.order === 'asc' ? 'ASC' : 'DESC';
  const pageParams = [...params.values];
  const limit = `$${pageParams.push(filter.size)}`;
  const offset = `$${pageParams.push((filter.page - 1) * filter.size)}`;
  const pageSql = `SELECT ${TASK_COLUMNS} FROM user_task t ${clause}
    ORDER BY t.${SORT_COLUMNS[filter.sort]} ${direction}, t.id ${direction} LIMIT ${limit} OFFSET ${offset}`;

  const count = countQuery(filter, viewer, inbox);
  if (count) return { pageSql, pageParams, ...count };
  return { pageSql, pageParams, countSql: `SELECT count(*)::int AS total FROM user_task t ${clause}`, countParams: params.values, countSource: 'tasks' };
}

/** Filters the inbox side table carries; with any other one the total is counted on user_task. */
const SIDE_TABLE_FILTERS = ['definitionKey', 'dueBefore', 'dueAfter', 'overdue', 'priorityMin', 'priorityMax', 'q'] as const;
const OTHER_NARROWING = ['processInstanceId', 'businessKey'] as const;

/** A cheaper way to the same total than counting user_task rows, when there is one. */
function countQuery(filter: TaskFilter, viewer: Viewer, inbox: boolean): Omit<BuiltTaskQuery, 'pageSql' | 'pageParams'> | null {
  if (filter.state !== 'open' || OTHER_NARROWING.some((key) => filter[key] !== undefined)) return null;
  const filtered = SIDE_TABLE_FILTERS.some((key) => filter[key] !== undefined);
  const count = new SqlParams();
  if (inbox && !viewer.admin && !filtered) {
    const keys = count.add(inboxKeys(viewer));
    // Tasks reaching one principal are counted per key; shared ones are de-duplicated.
    return {
      countSql: `SELECT (${counterSum(keys)} + (SELECT count(DISTINCT i.task_id) FROM user_task_inbox i WHERE i.principal = ANY(${keys}::text[]) AND i.shared))::int AS total`,
      countParams: count.values,
      countSource: 'counters',
    };
  }
  if (inbox && !viewer.admin) {
    const where = [`i.principal = ANY(${count.add(inboxKeys(viewer))}::text[])`];
    if (filter.definitionKey !== undefined) where.push(`i.definition_key = ${count.add(filter.definitionKey)}`);
    where.push(...rangeClauses(filter, count, 'i'));
    if (filter.q !== undefined) where.push(`i.name ILIKE ${count.add(likePattern(filter.q))}`);
    return {
      countSql: `SELECT (count(*) FILTER (WHERE NOT i.shared) + count(DISTINCT i.task_id) FILTER (WHERE i.shared))::int AS total
        FROM user_task_inbox i WHERE ${where.join(' AND ')}`,
      countParams: count.values,
      countSource: 'inbox',
    };
  }
  if (inbox && viewer.admin && !filtered) {
    const keys = count.add(['a:unassigned']);
    const me = count.add(viewer.id);
    return {
      countSql: `SELECT (${counterSum(keys)} + (SELECT count(*) FROM user_task t WHERE t.state = 'open' AND t.assignee = ${me}))::int AS total`,
      countParams: count.values,
      countSource: 'counters',
    };
  }
  const team = filter.candidateGroup !== undefined && filter.assignee === undefined && filter.unassigned === undefined && !filtered;
  if (team && (viewer.admin || viewer.groups.includes(filter.candidateGroup!))) {
    return { countSql: `SELECT (${counterSum(count.add([`t:${filter.candidateGroup}`]))})::int AS total`, countParams: count.values, countSource: 'counters' };
  }
  return null;
}

/** Compacted totals plus the deltas not folded in yet, for the counter keys in `keys`. */
function counterSum(keys: string): string {
  return `COALESCE((SELECT sum(c.tasks) FROM user_task_count c WHERE c.principal = ANY(${keys}::text[])), 0)
    + COALESCE((SELECT sum(d.delta) FROM user_task_count_delta d WHERE d.principal = ANY(${keys}::text[])), 0)`;
}

/** Due and priority filters; user_task and user_task_inbox name these columns alike. */
function rangeClauses(filter: TaskFilter, params: SqlParams, alias: string): string[] {
  const out: string[] = [];
  if (filter.dueBefore !== undefined) out.push(`${alias}.due_at < ${params.add(filter.dueBefore)}`);
  if (filter.dueAfter !== undefined) out.push(`${alias}.due_at > ${params.add(filter.dueAfter)}`);
  if (filter.overdue === true) out.push(`${alias}.due_at < ${params.add(filter.now)}`);
  if (filter.overdue === false) out.push(`(${alias}.due_at IS NULL OR ${alias}.due_at >= ${params.add(filter.now)})`);
  if (filter.priorityMin !== undefined) out.push(`${alias}.priority >= ${params.add(filter.priorityMin)}`);
  if (filter.priorityMax !== undefined) out.push(`${alias}.priority <= ${params.add(filter.priorityMax)}`);
  return out;
}
