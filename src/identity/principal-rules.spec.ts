import type { Principal } from './principal.js';
import { hasAnyGroup, isAdmin } from './principal-rules.js';

const user = (...groups: string[]): Principal => ({ id: 'u1', groups });

describe('principal rules', () => {
  it('recognises admin only by the admin group', () => {
    expect(isAdmin(user('admin'))).toBe(true);
    expect(isAdmin(user('modeler', 'Admin', 'administrators'))).toBe(false);
  });

  it('passes a member of any listed group', () => {
    expect(hasAnyGroup(user('accounting', 'modeler'), ['modeler'])).toBe(true);
    expect(hasAnyGroup(user('integrator'), ['modeler', 'integrator'])).toBe(true);
  });

  it('refuses a user in none of the groups, and group names are case-sensitive', () => {
    expect(hasAnyGroup(user('accounting'), ['modeler'])).toBe(false);
    expect(hasAnyGroup(user('Modeler'), ['modeler'])).toBe(false);
    expect(hasAnyGroup(user(), ['modeler'])).toBe(false);
  });

  it('lets admin pass every rule, even an empty one', () => {
    expect(hasAnyGroup(user('admin'), ['modeler'])).toBe(true);
    expect(hasAnyGroup(user('admin'), [])).toBe(true);
    expect(hasAnyGroup(user('modeler'), [])).toBe(false);
  });
});
