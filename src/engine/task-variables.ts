// Read-only helpers for the worklist: the variables a user task sees. Pure, like the rest of the core.
import { visibleVariables } from './scope.js';
import type { InstanceState, Variables } from './types.js';

/**
 * Every variable visible from the task's element instance, inner scopes shadowing outer ones
 * (a multi-instance reviewer's `reviewer` and `loopCounter`, subprocess locals, input mappings),
 * the same view a job worker gets. Once the element instance is gone (task completed or
 * canceled) the process variables are what remains.
 */
export function taskVariables(state: Pick<InstanceState, 'variables' | 'elements'> | null | undefined, elementInstanceId: string): Variables {
  if (!state || typeof state !== 'object') return {};
  const elements = state.elements ?? {};
  const ei = elements[elementInstanceId] ?? null;
  return visibleVariables({ ...(state as InstanceState), elements }, ei);
}

/** `only`, when given, keeps just those names (absent ones are left out, not null). */
export function pickVariables(variables: Variables, only?: readonly string[]): Variables {
  if (only === undefined) return variables;
  const out: Variables = {};
  for (const name of only) if (Object.prototype.hasOwnProperty.call(variables, name)) out[name] = variables[name];
  return out;
}
