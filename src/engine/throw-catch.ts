// BPMN errors and escalations: find the nearest catching boundary event or event subprocess,
// walking outward from the thrower through its enclosing scopes to the process.
//
// At each level the innermost catch wins: the event subprocesses of a scope (inside it) before the
// boundary events on the scope's activity (outside it). A catch with the exact code beats a
// catch-all (no code) on the same level. An error thrown inside an event subprocess is not caught
// by its sibling event subprocesses (they belong to the scope the event subprocess interrupts).

import type { BoundaryEventNode, StartEventNode } from '../bpmn/process-model.js';
import { boundaryEvents, eventSubProcessStarts } from './nodes.js';
import type { Run } from './run.js';
import { fireBoundary, fireEventSubProcess } from './triggers.js';
import type { ElementInstance, Variables } from './types.js';

type CatchType = 'error' | 'escalation';

export type CatchTarget =
  | { readonly kind: 'boundary'; readonly host: ElementInstance; readonly event: BoundaryEventNode }
  | { readonly kind: 'eventSubProcess'; readonly scope: ElementInstance | null; readonly start: StartEventNode };

function codeOf(node: unknown, type: CatchType): { matches: boolean; code?: string } {
  const definition = (node as { eventDefinition?: { type: string; code?: string } }).eventDefinition;
  if (!definition || definition.type !== type) return { matches: false };
  return { matches: true, ...(definition.code !== undefined ? { code: definition.code } : {}) };
}

/** Exact code first, then catch-all. */
function pick<T extends { eventDefinition?: unknown }>(candidates: readonly T[], type: CatchType, code: string): T | undefined {
  let catchAll: T | undefined;
  for (const candidate of candidates) {
    const c = codeOf(candidate, type);
    if (!c.matches) continue;
    if (c.code === code) return candidate;
    if (c.code === undefined || c.code === '') catchAll ??= candidate;
  }
  return catchAll;
}

export function findCatch(run: Run, thrower: ElementInstance, type: CatchType, code: string): CatchTarget | null {
  let from: ElementInstance | null = null;
  let current: ElementInstance | null = thrower;
  while (current) {
    const isScope = current.kind === 'subProcess' || current.kind === 'eventSubProcess';
    if (from && isScope && from.kind !== 'eventSubProcess') {
      const start = pick(eventSubProcessStarts(run.model, current.elementId), type, code);
      if (start) return { kind: 'eventSubProcess', scope: current, start };
    }
    if (!run.isInner(current)) {
      const event = pick(boundaryEvents(run.model, run.node(current.elementId)), type, code);
      if (event) return { kind: 'boundary', host: current, event };
    }
    from = current;
    current = run.parentOf(current);
  }
  if (from?.kind !== 'eventSubProcess') {
    const start = pick(eventSubProcessStarts(run.model, run.model.id), type, code);
    if (start) return { kind: 'eventSubProcess', scope: null, start };
  }
  return null;
}

function catchAt(run: Run, target: CatchTarget, variables: Variables): void {
  if (target.kind === 'boundary') fireBoundary(run, target.host, target.event, variables);
  else fireEventSubProcess(run, target.scope, target.start, variables);
}

function describe(target: CatchTarget): string {
  return target.kind === 'boundary' ? target.event.id : target.start.id;
}

/**
 * Throws a BPMN error from `thrower`. Caught: the catching boundary/event subprocess takes over
 * (the thrower is always inside what it interrupts). Uncaught in a child instance: the parent is
 * notified (its call activity rethrows) and the thrower waits to be canceled by the parent.
 * Uncaught at the top: incident `uncaught-error` on the thrower (a retry re-dispatches the job, or
 * rethrows).
 */
export function throwError(run: Run, thrower: ElementInstance, code: string, message: string | undefined, variables: Variables, jobKey?: string): void {
  const target = findCatch(run, thrower, 'error', code);
  run.record('error.thrown', thrower, { code, ...(message ? { message } : {}), ...(target ? { caughtBy: describe(target) } : {}) });
  if (target) {
    catchAt(run, target, variables);
    return;
  }
  thrower.error = { code, ...(message ? { message } : {}) };
  if (run.state.parent) {
    run.emit({ type: 'notifyParent', parent: run.state.parent, outcome: 'error', variables, errorCode: code, ...(message ? { errorMessage: message } : {}) });
    return;
  }
  run.raiseIncident(thrower, 'uncaught-error', `unhandled BPMN error '${code}'${message ? `: ${message}` : ''}`, jobKey);
}

/**
 * Throws an escalation. Caught by an interrupting catch, the thrower is terminated with what it
 * interrupts; by a non-interrupting one, both continue. Uncaught: only recorded. Returns whether
 * the thrower is still live (so it completes).
 */
export function throwEscalation(run: Run, thrower: ElementInstance, code: string): boolean {
  const target = findCatch(run, thrower, 'escalation', code);
  run.record('escalation.thrown', thrower, { code, ...(target ? { caughtBy: describe(target) } : { caught: false }) });
  if (target) catchAt(run, target, {});
  return run.isLive(thrower);
}
