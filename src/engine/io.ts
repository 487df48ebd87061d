// Input/output mappings and results, one rule for both dialects (Camunda 8 semantics, as API.md fixes
// for workers):
// - inputs create local variables on the element instance, evaluated in order (later inputs see
//   earlier ones) against the element's scope chain;
// - a result (job/task/message/child variables) without output mappings propagates (nearest scope
//   that defines the variable, else root); with output mappings it stays local to the element and
//   only the outputs, evaluated against the element's scope, reach the parent scope (propagating).

import type { FlowNode, IoValue } from '../bpmn/process-model.js';
import { evaluateValue } from './evaluate.js';
import type { Run } from './run.js';
import type { Lookup } from './scope.js';
import { setLocal, setPropagating } from './scope.js';
import type { ElementInstance, Variables } from './types.js';

export function hasOutputs(node: FlowNode): boolean {
  return (node.ioMapping?.outputs.length ?? 0) > 0;
}

export function evaluateIo(source: IoValue, lookup: Lookup, what: string): unknown {
  if (source === null) return null;
  if (typeof source === 'string') return evaluateValue(source, lookup, what);
  if (Array.isArray(source)) return source.map((item: IoValue) => evaluateIo(item, lookup, what));
  const out: Variables = {};
  for (const [key, value] of Object.entries(source as Record<string, IoValue>)) out[key] = evaluateIo(value, lookup, what);
  return out;
}

export function applyInputs(run: Run, ei: ElementInstance, node: FlowNode): void {
  const inputs = node.ioMapping?.inputs;
  if (!inputs || inputs.length === 0) return;
  const lookup = run.lookup(ei);
  for (const input of inputs) setLocal(ei, input.target, evaluateIo(input.source, lookup, `input mapping '${input.target}'`));
}

export function applyOutputs(run: Run, ei: ElementInstance, node: FlowNode): void {
  const outputs = node.ioMapping?.outputs;
  if (!outputs || outputs.length === 0) return;
  const lookup = run.lookup(ei);
  const values = outputs.map((output) => [output.target, evaluateIo(output.source, lookup, `output mapping '${output.target}'`)] as const);
  const parent = run.parentOf(ei);
  for (const [target, value] of values) setPropagating(run.state, parent, target, value);
  run.record('variables.updated', ei, { names: values.map(([target]) => target), via: 'output-mapping' });
}

/** Applies a result to the element (see the file comment). `local` forces local (call activity without propagation). */
export function applyResult(run: Run, ei: ElementInstance, node: FlowNode, variables: Variables | null | undefined, local = false): void {
  if (!variables) return;
  const names = Object.keys(variables);
  if (names.length === 0) return;
  if (local || hasOutputs(node)) for (const name of names) setLocal(ei, name, variables[name]);
  else for (const name of names) setPropagating(run.state, ei, name, variables[name]);
  run.record('variables.updated', ei, { names });
}
