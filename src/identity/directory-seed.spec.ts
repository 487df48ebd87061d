import { DirectorySeedError, parseDirectorySeed } from './directory-seed.js';

function problems(text: string): readonly string[] {
  try {
    parseDirectorySeed(text, 'seed.json');
  } catch (error) {
    if (error instanceof DirectorySeedError) return error.problems;
    throw error;
  }
  throw new Error('expected a DirectorySeedError');
}

describe('parseDirectorySeed', () => {
  it('reads users, groups and memberships', () => {
    const seed = parseDirectorySeed(
      JSON.stringify({ groups: [{ id: 'accounting', name: 'Accounting' }], users: [{ id: 'alice', email: 'alice@example.com', groups: ['accounting', 'extra'] }] }),
      'seed.json',
    );
    expect(seed).toEqual({ groups: [{ id: 'accounting', name: 'Accounting' }], users: [{ id: 'alice', email: 'alice@example.com', groups: ['accounting', 'extra'] }] });
    expect(parseDirectorySeed('{}', 'empty.json')).toEqual({ groups: [], users: [] });
  });

  it('names every problem at once', () => {
    expect(problems('{ nope')[0]).toMatch(/^not JSON/);
    expect(problems('[]')).toEqual(['expected an object with "users" and/or "groups"']);
    expect(
      problems(
        JSON.stringify({
          groups: [{ id: 'a b' }, 'x', { id: 'ok', colour: 'red' }],
          users: [{ id: 'u1', email: 'bad', groups: ['ok', 'a,b'] }, { id: 'u1' }, { name: 'no id' }],
          roles: [],
        }),
      ),
    ).toEqual([
      'unknown key "roles" (expected users, groups)',
      'groups[0].id: a group id is 1-128 characters without spaces or commas',
      'groups[1]: expected an object',
      'groups[2]: unknown key "colour"',
      'users[0].email: not a valid email address',
      'users[0].groups.1: a group id is 1-128 characters without spaces or commas',
      'users[2].id: a user id is 1-255 characters without spaces or commas',
      'user "u1" is listed twice',
    ]);
  });
});
