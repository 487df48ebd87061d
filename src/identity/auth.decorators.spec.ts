import { RequireGroups, requiredGroupsMessage } from './auth.decorators.js';

describe('RequireGroups', () => {
  it('refuses an empty rule at declaration time, so a route cannot become admin-only by mistake', () => {
    expect(() => (RequireGroups as (...groups: string[]) => unknown)()).toThrow('at least one');
    expect(() => RequireGroups('')).toThrow('at least one');
  });

  it('words the 403 message as API users see it', () => {
    expect(requiredGroupsMessage(['modeler'])).toBe('requires one of the groups: modeler');
    expect(requiredGroupsMessage(['admin', 'integrator'])).toBe('requires one of the groups: admin, integrator');
  });
});
