// Variable scopes. Every element instance may hold a local scope (`variables`); the chain runs
// element → parent scope instance → … → the root scope (`state.variables`). Reads walk the chain;
// writes without an explicit scope follow Zeebe's variable propagation: the variable is set in the
// nearest scope that already defines it, else in the root scope.

import type { ElementInstance, InstanceState, Variables } from './types.js';

export interface Found {
  readonly found: boolean;
  readonly value?: unknown;
}

export type Lookup = (name: string) => Found;

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Reads `name` through the scope chain starting at `ei` (null = root only); `overrides` win. */
export function lookupFrom(state: InstanceState, ei: ElementInstance | null, overrides?: Variables): Lookup {
  return (name) => {
    if (overrides && hasOwn(overrides, name)) return { found: true, value: overrides[name] };
    let current: ElementInstance | null = ei;
    while (current) {
      if (current.variables && hasOwn(current.variables, name)) return { found: true, value: current.variables[name] };
      current = current.parentId === null ? null : (state.elements[current.parentId] ?? null);
    }
    return hasOwn(state.variables, name) ? { found: true, value: state.variables[name] } : { found: false };
  };
}

/** Lookup over a plain variables object (e.g. a child's variables for Camunda 7 out mappings). */
export function lookupIn(variables: Variables): Lookup {
  return (name) => (hasOwn(variables, name) ? { found: true, value: variables[name] } : { found: false });
}

/** Every variable visible from `ei` (inner scopes shadow outer ones): what a job receives. */
export function visibleVariables(state: InstanceState, ei: ElementInstance | null): Variables {
  const chain: Variables[] = [];
  let current: ElementInstance | null = ei;
  while (current) {
    if (current.variables) chain.push(current.variables);
    current = current.parentId === null ? null : (state.elements[current.parentId] ?? null);
  }
  const out: Variables = { ...state.variables };
  for (let i = chain.length - 1; i >= 0; i--) Object.assign(out, chain[i]);
  return out;
}

/** Zeebe propagation: set in the nearest scope (from `from` outwards) that defines `name`, else root. */
export function setPropagating(state: InstanceState, from: ElementInstance | null, name: string, value: unknown): void {
  let current: ElementInstance | null = from;
  while (current) {
    if (current.variables && hasOwn(current.variables, name)) {
      current.variables[name] = value;
      return;
    }
    current = current.parentId === null ? null : (state.elements[current.parentId] ?? null);
  }
  state.variables[name] = value;
}

export function setLocal(ei: ElementInstance, name: string, value: unknown): void {
  (ei.variables ??= {})[name] = value;
}

/** Copies JSON-shaped data so later mutation of the caller's object cannot reach the state. */
export function plainVariables(variables: Variables | null | undefined): Variables {
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return {};
  const out: Variables = {};
  for (const key of Object.keys(variables)) {
    if (key === '__proto__') continue;
    const value = variables[key];
    out[key] = value === undefined ? null : structuredCloneJson(value);
  }
  return out;
}

function structuredCloneJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
