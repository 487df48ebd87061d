import { emailProblem, groupIdProblem, nameProblem, userIdProblem } from './directory-rules.js';

/**
 * The optional seed file (DIRECTORY_SEED_FILE): users, groups and memberships applied at start-up.
 *
 * ```json
 * { "groups": [{ "id": "accounting", "name": "Accounting" }],
 *   "users":  [{ "id": "alice", "name": "Alice Smith", "email": "alice@example.com", "groups": ["accounting"] }] }
 * ```
 * Applying it upserts every listed user and group (names and emails from the file win) and adds
 * the memberships; it never deletes, so entries made through the admin API survive a restart.
 * Groups a user names but `groups` does not list are created.
 */
export interface DirectorySeed {
  readonly groups: readonly { id: string; name?: string }[];
  readonly users: readonly { id: string; name?: string; email?: string; groups: readonly string[] }[];
}

export class DirectorySeedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`DIRECTORY_SEED_FILE ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DirectorySeedError';
  }
}

/** Parses and checks the whole file; throws DirectorySeedError listing every problem at once. */
export function parseDirectorySeed(text: string, file: string): DirectorySeed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DirectorySeedError(file, [`not JSON: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  if (!isObject(raw)) throw new DirectorySeedError(file, ['expected an object with "users" and/or "groups"']);
  for (const key of Object.keys(raw)) if (key !== 'users' && key !== 'groups') problems.push(`unknown key "${key}" (expected users, groups)`);

  const groups: { id: string; name?: string }[] = [];
  for (const [index, entry] of list(raw.groups, 'groups', problems).entries()) {
    const where = `groups[${index}]`;
    if (!isObject(entry)) {
      problems.push(`${where}: expected an object`);
      continue;
    }
    check(where, 'id', groupIdProblem(entry.id), problems);
    if (entry.name !== undefined) check(where, 'name', nameProblem(entry.name), problems);
    unknownKeys(where, entry, ['id', 'name'], problems);
    groups.push({ id: String(entry.id), ...(typeof entry.name === 'string' && { name: entry.name }) });
  }

  const users: { id: string; name?: string; email?: string; groups: string[] }[] = [];
  for (const [index, entry] of list(raw.users, 'users', problems).entries()) {
    const where = `users[${index}]`;
    if (!isObject(entry)) {
      problems.push(`${where}: expected an object`);
      continue;
    }
    check(where, 'id', userIdProblem(entry.id), problems);
    if (entry.name !== undefined) check(where, 'name', nameProblem(entry.name), problems);
    if (entry.email !== undefined) check(where, 'email', emailProblem(entry.email), problems);
    unknownKeys(where, entry, ['id', 'name', 'email', 'groups'], problems);
    const memberOf = list(entry.groups, `${where}.groups`, problems);
    memberOf.forEach((group, i) => check(`${where}.groups`, String(i), groupIdProblem(group), problems));
    users.push({
      id: String(entry.id),
      ...(typeof entry.name === 'string' && { name: entry.name }),
      ...(typeof entry.email === 'string' && { email: entry.email }),
      groups: memberOf.filter((g): g is string => typeof g === 'string'),
    });
  }
  duplicates(groups.map((g) => g.id), 'group', problems);
  duplicates(users.map((u) => u.id), 'user', problems);
  if (problems.length > 0) throw new DirectorySeedError(file, problems);
  return { groups, users };
}

function list(value: unknown, where: string, problems: string[]): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where}: expected a list`);
    return [];
  }
  return value;
}

function check(where: string, field: string, problem: string | null, problems: string[]): void {
  if (problem !== null) problems.push(`${where}.${field}: ${problem}`);
}

function unknownKeys(where: string, entry: Record<string, unknown>, known: string[], problems: string[]): void {
  for (const key of Object.keys(entry)) if (!known.includes(key)) problems.push(`${where}: unknown key "${key}"`);
}

function duplicates(ids: string[], what: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) problems.push(`${what} "${id}" is listed twice`);
    seen.add(id);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
