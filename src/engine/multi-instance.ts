// Multi-instance activities (Zeebe model): a synthetic body element instance owns the boundary
// events and the loop bookkeeping; each item runs as an inner instance of the activity itself.
//
// Variables: the body holds `nrOfInstances`, `nrOfActiveInstances`, `nrOfCompletedInstances` (and
// the Zeebe names `numberOfInstances`, …) and the output collection (pre-filled with nulls); each
// inner instance holds `loopCounter` (1-based) and the input element. The output element is
// evaluated in the inner instance's scope when it completes; the completion condition after that,
// with the counters already updated. When the body completes the output collection propagates to
// the body's scope. An empty collection completes the body at once.

import { evaluateBoolean, evaluateInteger, evaluateValue, StepFailure } from './evaluate.js';
import type { ActivityNode } from './nodes.js';
import type { Run } from './run.js';
import { setPropagating } from './scope.js';
import type { ElementInstance, MultiInstanceState, Variables } from './types.js';

function counters(mi: MultiInstanceState): Variables {
  return {
    nrOfInstances: mi.total,
    nrOfActiveInstances: mi.active,
    nrOfCompletedInstances: mi.completed,
    numberOfInstances: mi.total,
    numberOfActiveInstances: mi.active,
    numberOfCompletedInstances: mi.completed,
  };
}

export function activateBody(run: Run, body: ElementInstance, node: ActivityNode): void {
  const spec = node.multiInstance;
  if (!spec) throw new StepFailure(`'${node.id}' has no multi-instance characteristics`);
  const lookup = run.lookup(body);
  let items: unknown[] | null = null;
  let total: number;
  if (spec.inputCollection !== undefined) {
    const value = evaluateValue(spec.inputCollection, lookup, `input collection of '${node.id}'`);
    if (!Array.isArray(value)) throw new StepFailure(`input collection of '${node.id}' is not a list (got ${value === null ? 'null' : typeof value})`);
    items = value;
    total = value.length;
  } else if (spec.loopCardinality !== undefined) {
    total = evaluateInteger(spec.loopCardinality, lookup, `loop cardinality of '${node.id}'`);
    if (total < 0) throw new StepFailure(`loop cardinality of '${node.id}' is negative (${total})`);
  } else {
    throw new StepFailure(`multi-instance '${node.id}' has neither an input collection nor a loop cardinality`);
  }
  const mi: MultiInstanceState = { sequential: spec.sequential, items, total, started: 0, completed: 0, active: 0 };
  body.mi = mi;
  body.variables = counters(mi);
  if (spec.outputCollection) body.variables[spec.outputCollection] = new Array<unknown>(total).fill(null);
  if (total === 0) {
    run.complete(body);
    return;
  }
  const first = spec.sequential ? 1 : total;
  for (let i = 0; i < first; i++) startInner(run, body, mi);
}

function startInner(run: Run, body: ElementInstance, mi: MultiInstanceState): void {
  mi.started += 1;
  mi.active += 1;
  Object.assign(body.variables ??= {}, counters(mi));
  run.enter(body.elementId, body.id, { loopCounter: mi.started });
}

/** The local variables an inner instance starts with (re-created on a retried activation). */
export function innerLocals(run: Run, inner: ElementInstance): Variables {
  const body = run.parentOf(inner);
  const node = run.node(inner.elementId) as ActivityNode;
  const counter = inner.loopCounter ?? 1;
  const locals: Variables = { loopCounter: counter };
  const element = node.multiInstance?.inputElement;
  if (element) locals[element] = body?.mi?.items ? (body.mi.items[counter - 1] ?? null) : null;
  return locals;
}

/** An inner instance finished (its output mappings applied). Evaluates first, then changes state. */
export function innerCompleted(run: Run, body: ElementInstance, inner: ElementInstance, node: ActivityNode): void {
  const spec = node.multiInstance;
  const mi = body.mi;
  if (!spec || !mi) throw new StepFailure(`'${node.id}' lost its multi-instance state`);
  const lookup = run.lookup(inner);
  const output = spec.outputCollection && spec.outputElement ? evaluateValue(spec.outputElement, lookup, `output element of '${node.id}'`) : undefined;
  const next: MultiInstanceState = { ...mi, active: mi.active - 1, completed: mi.completed + 1 };
  const done = spec.completionCondition
    ? evaluateBoolean(spec.completionCondition, run.lookup(inner, counters(next)), `completion condition of '${node.id}'`)
    : false;

  mi.active = next.active;
  mi.completed = next.completed;
  const variables = (body.variables ??= {});
  Object.assign(variables, counters(mi));
  if (spec.outputCollection && output !== undefined) {
    const collection = Array.isArray(variables[spec.outputCollection]) ? (variables[spec.outputCollection] as unknown[]) : [];
    collection[(inner.loopCounter ?? 1) - 1] = output;
    variables[spec.outputCollection] = collection;
  }
  run.leaveInner(inner);

  if (done || mi.completed >= mi.total) {
    for (const other of run.childrenOf(body.id)) run.terminate(other);
    mi.active = 0;
    Object.assign(variables, counters(mi));
    run.complete(body);
  } else if (mi.sequential && mi.active === 0) {
    startInner(run, body, mi);
  }
}

/** Before the body leaves: the output collection reaches the body's scope. */
export function completeBody(run: Run, body: ElementInstance, node: ActivityNode): void {
  const name = node.multiInstance?.outputCollection;
  if (!name) return;
  const value = body.variables?.[name] ?? [];
  setPropagating(run.state, run.parentOf(body), name, value);
  run.record('variables.updated', body, { names: [name], via: 'output-collection' });
}
