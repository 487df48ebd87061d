import { DomainError } from '../common/domain-error.js';
import { readClaims, toPrincipal } from './claims.js';

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('readClaims', () => {
  it('reads sub, roles, email and name', () => {
    expect(readClaims({ sub: 'alice', roles: ['accounting', 'modeler'], email: 'a@x.test', name: 'Alice' })).toEqual({
      sub: 'alice',
      roles: ['accounting', 'modeler'],
      email: 'a@x.test',
      name: 'Alice',
    });
  });

  it('treats a missing roles claim as no roles and drops blank role names', () => {
    expect(readClaims({ sub: 'bob' })).toEqual({ sub: 'bob', roles: [] });
    expect(readClaims({ sub: 'bob', roles: [' modeler ', ''] }).roles).toEqual(['modeler']);
  });

  it.each([['modeler'], [{ modeler: true }], [['modeler', 7]], [null]])('rejects roles = %j as 401', (roles) => {
    const error = rejection(() => readClaims({ sub: 'bob', roles }));
    expect(error.code).toBe('unauthenticated');
    expect(error.message).toBe('invalid token: roles claim must be an array of strings');
  });

  it.each([[undefined], [''], ['  '], [42]])('requires a sub (got %j)', (sub) => {
    const error = rejection(() => readClaims({ sub } as never));
    expect(error.code).toBe('unauthenticated');
    expect(error.message).toBe('invalid token: missing sub claim');
  });

  it('drops optional profile claims of the wrong type', () => {
    expect(readClaims({ sub: 'c', email: 5, name: ['x'] })).toEqual({ sub: 'c', roles: [] });
  });
});

describe('toPrincipal', () => {
  it('merges token roles and directory groups without duplicates', () => {
    const principal = toPrincipal({ sub: 'alice', roles: ['accounting', 'modeler'], email: 'a@x.test' }, ['modeler', 'sales']);
    expect(principal).toEqual({ id: 'alice', groups: ['accounting', 'modeler', 'sales'], email: 'a@x.test' });
    expect(Object.isFrozen(principal) && Object.isFrozen(principal.groups)).toBe(true);
  });
});
