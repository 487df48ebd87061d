// Read helpers for the runtime/API over a stored InstanceState.
import type { ElementInstanceKind, IncidentRecord, InstanceState, Variables } from './types.js';

export interface ActiveElement {
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly type: ElementInstanceKind;
  readonly since: string;
}

/** Live element instances (multi-instance bodies included), oldest first. */
export function activeElements(state: InstanceState): ActiveElement[] {
  return Object.values(state.elements)
    .map((ei) => ({ elementId: ei.elementId, elementInstanceId: ei.id, type: ei.kind, since: ei.since }))
    .sort((a, b) => a.since.localeCompare(b.since));
}

export function openIncidents(state: InstanceState): IncidentRecord[] {
  return Object.values(state.incidents);
}

export function rootVariables(state: InstanceState): Variables {
  return state.variables;
}
