// BPMN errors and escalations: find the nearest catching boundary event or event subprocess,
// walking outward from the thrower through its enclosing scopes to the process.
//
// At each level the innermost catch wins: the event subprocesses of a scope (inside it) before the
// boundary events on the scope's activity (outside it). A catch with the exact code beats a
// catch-all (no code) on the same level. An error thrown inside an event subprocess is not caught
// by its sibling event subprocesses (they belong to the scope the event subprocess interrupts).
//
// Across call activities: an error or escalation a child does not catch goes to the parent, whose
// call activity rethrows it (childFailed / childEscalated), and so on up to the root.

import type { BoundaryEventNode, StartEventNode } from '../bpmn/process-model.js';
import { boundaryEvents, eventSubProcessStarts } from './nodes.js';
import type { Run } from './run.js';
import { fireBoundary, fireEventSubProcess } from './triggers.js';
import type { ElementInstance, EscalationCatch, Variables } from './types.js';

type CatchType = 'error' | 'escalation';

export type CatchTarget =
  | { readonly kind: 'boundary'; readonly host: ElementInstance; readonly event: BoundaryEventNode }
  | { readonly kind: 'eventSubProcess'; readonly scope: ElementInstance | null; readonly start: StartEventNode };

/** One level of the walk outward: the event subprocesses of a scope, or the boundary events of an activity. */
type CatchLevel =
  | { readonly kind: 'eventSubProcess'; readonly scope: ElementInstance | null; readonly candidates: StartEventNode[] }
  | { readonly kind: 'boundary'; readonly host: ElementInstance; readonly candidates: BoundaryEventNode[] };

/** The code a catch event catches: undefined = not of this type, null = catch-all. */
function codeOf(node: unknown, type: CatchType): string | null | undefined {
  const definition = (node as { eventDefinition?: { type: string; code?: string } }).eventDefinition;
  if (!definition || definition.type !== type) return undefined;
  return definition.code === undefined || definition.code === '' ? null : definition.code;
}

/** Exact code first, then catch-all. */
function pick<T>(candidates: readonly T[], codeOfCandidate: (candidate: T) => string | null | undefined, code: string): T | undefined {
  let catchAll: T | undefined;
  for (const candidate of candidates) {
    const c = codeOfCandidate(candidate);
    if (c === undefined) continue;
    if (c === code) return candidate;
    if (c === null) catchAll ??= candidate;
  }
  return catchAll;
}

/** The catch levels around `thrower`, innermost first (see the file comment for the order). */
function* catchLevels(run: Run, thrower: ElementInstance): Generator<CatchLevel> {
  let from: ElementInstance | null = null;
  let current: ElementInstance | null = thrower;
  while (current) {
    const isScope = current.kind === 'subProcess' || current.kind === 'eventSubProcess';
    if (from && isScope && from.kind !== 'eventSubProcess') yield { kind: 'eventSubProcess', scope: current, candidates: eventSubProcessStarts(run.model, current.elementId) };
    if (!run.isInner(current)) yield { kind: 'boundary', host: current, candidates: boundaryEvents(run.model, run.node(current.elementId)) };
    from = current;
    current = run.parentOf(current);
  }
  if (from?.kind !== 'eventSubProcess') yield { kind: 'eventSubProcess', scope: null, candidates: eventSubProcessStarts(run.model, run.model.id) };
}

export function findCatch(run: Run, thrower: ElementInstance, type: CatchType, code: string): CatchTarget | null {
  for (const level of catchLevels(run, thrower)) {
    if (level.kind === 'eventSubProcess') {
      const start = pick(level.candidates, (c) => codeOf(c, type), code);
      if (start) return { kind: 'eventSubProcess', scope: level.scope, start };
    } else {
      const event = pick(level.candidates, (c) => codeOf(c, type), code);
      if (event) return { kind: 'boundary', host: level.host, event };
    }
  }
  return null;
}

/**
 * The escalation catches a child started by `callActivity` would meet above it: this instance's
 * levels around the call activity, then the levels above this instance (ParentLink.escalationCatches).
 * The model is fixed, so this is exactly what `findCatch` will decide when the child's escalation arrives.
 */
export function escalationCatchesAbove(run: Run, callActivity: ElementInstance): EscalationCatch[][] {
  const levels: EscalationCatch[][] = [];
  for (const level of catchLevels(run, callActivity)) {
    const catches: EscalationCatch[] = [];
    for (const candidate of level.candidates) {
      const code = codeOf(candidate, 'escalation');
      if (code === undefined) continue;
      const interrupting = candidate.kind === 'boundaryEvent' ? candidate.cancelActivity : candidate.interrupting;
      catches.push({ ...(code !== null ? { code } : {}), interrupting });
    }
    if (catches.length > 0) levels.push(catches);
  }
  for (const level of run.state.parent?.escalationCatches ?? []) levels.push([...level]);
  return levels;
}

/** The ancestor catch an escalation this instance does not catch will reach (null: none, or a root instance). */
function ancestorCatch(run: Run, code: string): EscalationCatch | null {
  for (const level of run.state.parent?.escalationCatches ?? []) {
    const found = pick(level, (c) => c.code ?? null, code);
    if (found) return found;
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
 * interrupts; by a non-interrupting one, both continue. Not caught here, in a child instance: the
 * parent is notified (its call activity rethrows it, see `childEscalated`) and the thrower goes on,
 * unless an ancestor catches it interrupting: then it waits to be canceled with this instance (the
 * parent's catch terminates the call activity in the same transaction). Not caught anywhere: only
 * recorded. Returns whether the thrower goes on (so it completes).
 *
 * `variables` reach the catch (a call activity rethrowing passes its output mappings of the child's
 * variables); `origin` is added to the history event (a call activity: `fromChild`).
 */
export function throwEscalation(run: Run, thrower: ElementInstance, code: string, variables: Variables = {}, origin: Record<string, unknown> = {}): boolean {
  const target = findCatch(run, thrower, 'escalation', code);
  if (target) {
    run.record('escalation.thrown', thrower, { code, ...origin, caughtBy: describe(target) });
    catchAt(run, target, variables);
    return run.isLive(thrower);
  }
  const parent = run.state.parent;
  if (!parent) {
    run.record('escalation.thrown', thrower, { code, ...origin, caught: false });
    return true;
  }
  run.record('escalation.thrown', thrower, { code, ...origin, toParent: true });
  run.emit({ type: 'notifyParent', parent, outcome: 'escalation', escalationCode: code, variables: { ...run.state.variables } });
  return ancestorCatch(run, code)?.interrupting !== true;
}
