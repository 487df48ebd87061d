// Narrowed views of the compiled model used across the engine.
import type { BoundaryEventNode, FlowNode, StartEventNode } from '../bpmn/process-model.js';

/** Activities: may carry boundary events, a default flow and multi-instance characteristics. */
export type ActivityNode = Extract<FlowNode, { readonly boundaryEventIds: readonly string[] }>;

export function isActivity(node: FlowNode): node is ActivityNode {
  return 'boundaryEventIds' in node;
}

export function boundaryEvents(model: { elements: Readonly<Record<string, FlowNode>> }, node: FlowNode): BoundaryEventNode[] {
  if (!isActivity(node)) return [];
  const out: BoundaryEventNode[] = [];
  for (const id of node.boundaryEventIds) {
    const b = model.elements[id];
    if (b?.kind === 'boundaryEvent') out.push(b);
  }
  return out;
}

/** The start events of the event subprocesses directly inside a scope (process / subProcess / eventSubProcess id). */
export function eventSubProcessStarts(
  model: { elements: Readonly<Record<string, FlowNode>>; scopes: Readonly<Record<string, { eventSubProcessIds: readonly string[] }>> },
  scopeElementId: string,
): StartEventNode[] {
  const out: StartEventNode[] = [];
  for (const id of model.scopes[scopeElementId]?.eventSubProcessIds ?? []) {
    const esp = model.elements[id];
    if (esp?.kind !== 'eventSubProcess') continue;
    const start = model.elements[esp.startEventId];
    if (start?.kind === 'startEvent') out.push(start);
  }
  return out;
}
