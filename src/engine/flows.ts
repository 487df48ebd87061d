// Which outgoing sequence flows a leaving element takes, and the inclusive join rule.

import type { FlowNode, ProcessModel } from '../bpmn/process-model.js';
import { evaluateBoolean, StepFailure } from './evaluate.js';
import type { Run } from './run.js';
import type { ElementInstance } from './types.js';
import { ROOT_SCOPE } from './types.js';

function defaultFlowOf(run: Run, node: FlowNode): string | undefined {
  if ('defaultFlow' in node && node.defaultFlow) return node.defaultFlow;
  return node.outgoing.find((id) => run.model.flows[id]?.isDefault);
}

function conditionHolds(run: Run, ei: ElementInstance, flowId: string): boolean {
  const flow = run.model.flows[flowId];
  if (!flow || flow.condition === undefined) return true;
  return evaluateBoolean(flow.condition, run.lookup(ei), `condition of sequence flow '${flowId}'`);
}

/**
 * Activities and events: every unconditional flow plus every flow whose condition holds; if
 * conditions exist and none holds, the default flow; none at all is an incident. No outgoing flow
 * at all ends the token (implicit end).
 */
export function defaultSelectFlows(run: Run, ei: ElementInstance, node: FlowNode): string[] {
  if (node.outgoing.length === 0) return [];
  const fallback = defaultFlowOf(run, node);
  const taken = node.outgoing.filter((id) => id !== fallback && conditionHolds(run, ei, id));
  if (taken.length > 0) return taken;
  if (fallback) return [fallback];
  throw new StepFailure(`no outgoing sequence flow of '${node.id}' has a true condition and there is no default flow`);
}

/** Exclusive gateway: the first flow (in model order) whose condition is true, else the default, else an incident. */
export function exclusiveFlows(run: Run, ei: ElementInstance, node: FlowNode): string[] {
  const fallback = defaultFlowOf(run, node);
  for (const id of node.outgoing) if (id !== fallback && conditionHolds(run, ei, id)) return [id];
  if (fallback) return [fallback];
  throw new StepFailure(`no condition of exclusive gateway '${node.id}' is true and there is no default flow`);
}

/** Inclusive gateway: every flow whose condition is true, else the default, else an incident. */
export function inclusiveFlows(run: Run, ei: ElementInstance, node: FlowNode): string[] {
  const fallback = defaultFlowOf(run, node);
  const taken = node.outgoing.filter((id) => id !== fallback && conditionHolds(run, ei, id));
  if (taken.length > 0) return taken;
  if (fallback) return [fallback];
  throw new StepFailure(`no condition of inclusive gateway '${node.id}' is true and there is no default flow`);
}

// ── inclusive join ──

const reachCache = new WeakMap<ProcessModel, Map<string, Set<string>>>();

/** Ids of the elements from which `targetId` can be reached in the same scope (flows, and host → boundary). */
export function elementsReaching(model: ProcessModel, targetId: string): Set<string> {
  let perModel = reachCache.get(model);
  if (!perModel) reachCache.set(model, (perModel = new Map()));
  const cached = perModel.get(targetId);
  if (cached) return cached;
  const hostsOf = new Map<string, string[]>(); // boundary id → [host]
  for (const node of Object.values(model.elements)) if (node.kind === 'boundaryEvent') hostsOf.set(node.id, [node.attachedTo]);
  const seen = new Set<string>();
  const stack: string[] = [targetId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    const node = model.elements[id];
    if (!node) continue;
    const predecessors: string[] = [...(hostsOf.get(id) ?? [])];
    for (const flowId of node.incoming) {
      const source = model.flows[flowId]?.sourceId;
      if (source) predecessors.push(source);
    }
    for (const p of predecessors) {
      if (p === targetId || seen.has(p)) continue;
      seen.add(p);
      stack.push(p);
    }
  }
  perModel.set(targetId, seen);
  return seen;
}

/**
 * Fires every inclusive join that holds tokens and that no token can still reach: no live element
 * instance of the same scope instance, and no token waiting at another join there, lies upstream.
 * Called when the agenda is empty. Returns whether any fired (the caller drains again).
 */
export function fireInclusiveJoins(run: Run): boolean {
  let fired = false;
  for (const scopeKey of Object.keys(run.state.joins)) {
    const perScope = run.state.joins[scopeKey];
    if (!perScope) continue;
    for (const gatewayId of Object.keys(perScope)) {
      const node = run.model.elements[gatewayId];
      if (node?.kind !== 'inclusiveGateway') continue;
      const reaching = elementsReaching(run.model, gatewayId);
      const scopeId = scopeKey === ROOT_SCOPE ? null : scopeKey;
      const blocked =
        run.childrenOf(scopeId).some((ei) => reaching.has(ei.elementId)) ||
        Object.keys(perScope).some((other) => other !== gatewayId && reaching.has(other));
      if (blocked) continue;
      const arrived = Object.keys(perScope[gatewayId] ?? {});
      run.consumeJoin(scopeKey, gatewayId, arrived);
      run.enter(gatewayId, scopeId);
      fired = true;
    }
  }
  return fired;
}
