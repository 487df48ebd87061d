import { pickVariables, taskVariables } from './task-variables.js';
import type { InstanceState } from './types.js';

const state = {
  variables: { a: 1, shadowed: 'root' },
  elements: {
    body: { id: 'body', elementId: 'review', kind: 'multiInstanceBody', parentId: 'sub', state: 'active', since: '', variables: { nrOfInstances: 2 } },
    sub: { id: 'sub', elementId: 'sub', kind: 'subProcess', parentId: null, state: 'active', since: '', variables: { shadowed: 'sub' } },
    inner: { id: 'inner', elementId: 'review', kind: 'userTask', parentId: 'body', state: 'active', since: '', variables: { reviewer: 'rita', loopCounter: 1 } },
  },
} as unknown as InstanceState;

describe('taskVariables', () => {
  it('sees every scope from the task outwards, inner scopes shadowing outer ones', () => {
    expect(taskVariables(state, 'inner')).toEqual({ a: 1, shadowed: 'sub', nrOfInstances: 2, reviewer: 'rita', loopCounter: 1 });
  });

  it('falls back to the process variables once the element instance is gone', () => {
    expect(taskVariables(state, 'gone')).toEqual({ a: 1, shadowed: 'root' });
    expect(taskVariables(null, 'x')).toEqual({});
  });

  it('picks names', () => {
    expect(pickVariables({ a: 1, b: 2 }, ['b', 'missing'])).toEqual({ b: 2 });
    expect(pickVariables({ a: 1 })).toEqual({ a: 1 });
  });
});
