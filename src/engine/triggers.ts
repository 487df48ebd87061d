// Event triggers that are not the element's own wait: boundary events on a host activity,
// event-subprocess starts on a scope, and the events behind an event-based gateway. Opening them
// (when the host/scope/gateway activates) and reacting when one fires.

import type { BoundaryEventNode, FlowNode, StartEventNode } from '../bpmn/process-model.js';
import { boundaryEvents, eventSubProcessStarts } from './nodes.js';
import type { Run } from './run.js';
import type { ElementInstance, Variables, WaitRef } from './types.js';
import { nextOccurrence, openTrigger, prepareTrigger } from './waits.js';
import type { PendingTrigger } from './waits.js';

export { openTriggers } from './waits.js';

/** Timer/message/signal boundary events of a host, evaluated in the host's scope. */
export function prepareBoundaryTriggers(run: Run, host: ElementInstance, node: FlowNode): PendingTrigger[] {
  const out: PendingTrigger[] = [];
  for (const boundary of boundaryEvents(run.model, node)) {
    const pending = prepareTrigger(run, host, boundary.id, boundary.eventDefinition, 'boundary', boundary.cancelActivity);
    if (pending) out.push(pending);
  }
  return out;
}

/** Timer/message/signal event-subprocess starts of a scope (scope element id; `at` null = process). */
export function prepareEventSubProcessTriggers(run: Run, at: ElementInstance | null, scopeElementId: string): PendingTrigger[] {
  const out: PendingTrigger[] = [];
  for (const start of eventSubProcessStarts(run.model, scopeElementId)) {
    const pending = prepareTrigger(run, at, start.id, start.eventDefinition, 'eventSubProcess', start.interrupting);
    if (pending) out.push(pending);
  }
  return out;
}

/**
 * A boundary/event-subprocess/event-gateway wait fired (its key is already consumed if it was a
 * one-shot). Non-interrupting timer cycles are rescheduled here.
 */
export function fireTrigger(run: Run, ref: WaitRef, variables: Variables): void {
  if (ref.kind !== 'timer' && ref.kind !== 'message' && ref.kind !== 'signal') return;
  const owner = ref.elementInstanceId === null ? null : (run.get(ref.elementInstanceId) ?? null);
  if (ref.elementInstanceId !== null && !owner) return;
  switch (ref.role) {
    case 'boundary': {
      const boundary = run.node(ref.elementId) as BoundaryEventNode;
      if (!boundary.cancelActivity && ref.kind === 'timer') reschedule(run, owner, ref);
      fireBoundary(run, owner as ElementInstance, boundary, variables);
      return;
    }
    case 'eventSubProcess': {
      const start = run.node(ref.elementId) as StartEventNode;
      if (!start.interrupting && ref.kind === 'timer') reschedule(run, owner, ref);
      fireEventSubProcess(run, owner, start, variables);
      return;
    }
    case 'eventGateway':
      fireEventGateway(run, owner as ElementInstance, ref.elementId, variables);
      return;
    case 'self':
      return;
  }
}

function reschedule(run: Run, owner: ElementInstance | null, ref: Extract<WaitRef, { kind: 'timer' }>): void {
  const next = nextOccurrence(run, ref.timer);
  if (next) openTrigger(run, owner, { kind: 'timer', elementId: ref.elementId, role: ref.role, timer: next });
}

/** Interrupting: the host (with everything inside) is terminated first. Either way the boundary event starts a token. */
export function fireBoundary(run: Run, host: ElementInstance, boundary: BoundaryEventNode, variables: Variables): void {
  const scopeId = host.parentId;
  if (boundary.cancelActivity) run.terminate(host);
  run.enter(boundary.id, scopeId, { payload: variables });
}

/**
 * Starts an event subprocess in `scope` (null = process). Interrupting: every other child of the
 * scope is terminated and the scope's other event-subprocess triggers close (a scope is interrupted once).
 */
export function fireEventSubProcess(run: Run, scope: ElementInstance | null, start: StartEventNode, variables: Variables): void {
  const scopeId = scope?.id ?? null;
  if (start.interrupting) {
    run.terminateChildren(scopeId);
    run.closeWaits(scope, (ref) => ref.kind !== 'job' && ref.kind !== 'userTask' && ref.kind !== 'child' && ref.role === 'eventSubProcess');
  }
  run.enter(start.parentId, scopeId, { payload: variables });
}

/** First event wins: the gateway's other waits close and the token moves to the event that fired. */
export function fireEventGateway(run: Run, gateway: ElementInstance, targetId: string, variables: Variables): void {
  const node = run.node(gateway.elementId);
  const flowId = node.outgoing.find((id) => run.model.flows[id]?.targetId === targetId);
  gateway.state = 'completing';
  run.leave(gateway, flowId ? [flowId] : [], variables);
}
