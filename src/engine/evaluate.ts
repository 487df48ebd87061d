// Expression evaluation for the engine. Expressions are compiled once (cached by text) and get only
// the variables they read, looked up through the scope chain. Failures do not throw out of the
// engine: they throw StepFailure, which the agenda turns into an incident on the element whose
// step was running, so a retry re-runs exactly that step.

import { compileCached, evaluateCondition, expressionKind } from '../expressions/index.js';
import type { CompiledExpression } from '../expressions/index.js';
import type { Lookup } from './scope.js';
import type { IncidentType } from './types.js';

/** A process-level failure inside a step: becomes an incident, never leaves `execute`. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly incidentType: IncidentType = 'expression',
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

export const isExpression = (text: string): boolean => expressionKind(text) !== 'literal';

function compiled(text: string, what: string): CompiledExpression {
  const result = compileCached(text);
  if (!result.ok) throw new StepFailure(`${what}: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.expression;
}

function contextFor(expression: CompiledExpression, lookup: Lookup): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const name of expression.variables) {
    const found = lookup(name);
    if (found.found) context[name] = found.value;
  }
  return context;
}

/** Any value (literals evaluate to their text). */
export function evaluateValue(text: string, lookup: Lookup, what: string): unknown {
  const expression = compiled(text, what);
  const result = expression.evaluate(contextFor(expression, lookup));
  if (!result.ok) throw new StepFailure(`${what}: ${result.message}`);
  return result.value;
}

/** A condition: anything but a boolean is a failure, not false. */
export function evaluateBoolean(text: string, lookup: Lookup, what: string): boolean {
  const expression = compiled(text, what);
  const result = evaluateCondition(expression, contextFor(expression, lookup));
  if (!result.ok) throw new StepFailure(`${what}: ${result.message}`);
  return result.value as boolean;
}

/** A name-like value (job type, message name, called process key): non-empty text. */
export function evaluateText(text: string, lookup: Lookup, what: string): string {
  const value = evaluateValue(text, lookup, what);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new StepFailure(`${what}: expected text, got ${value === null ? 'null' : typeof value}`);
}

/** Optional text: null/empty → undefined. */
export function evaluateOptionalText(text: string | undefined, lookup: Lookup, what: string): string | undefined {
  if (text === undefined) return undefined;
  const value = evaluateValue(text, lookup, what);
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new StepFailure(`${what}: expected text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/**
 * A list of names (candidate users/groups): a FEEL list, a `${}` value, or a comma-separated
 * string. Literal texts are split on commas and trimmed.
 */
export function evaluateNameList(text: string, lookup: Lookup, what: string): string[] {
  const value = isExpression(text) ? evaluateValue(text, lookup, what) : text;
  const out: string[] = [];
  const add = (item: unknown): void => {
    if (item === null || item === undefined) return;
    if (typeof item === 'string') {
      for (const part of item.split(',')) if (part.trim() !== '') out.push(part.trim());
    } else if (typeof item === 'number') out.push(String(item));
    else throw new StepFailure(`${what}: expected names, got ${Array.isArray(item) ? 'a nested list' : typeof item}`);
  };
  if (Array.isArray(value)) value.forEach(add);
  else add(value);
  return out;
}

/** A whole number (retries, loop cardinality, priority). */
const MAX_INT32 = 2_147_483_647;

export function evaluateInteger(text: string, lookup: Lookup, what: string): number {
  const value = evaluateValue(text, lookup, what);
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number)) {
    const whole = Math.trunc(number);
    // Priorities and retries are stored as 32-bit integers: beyond is a model or data error, an incident.
    if (whole > MAX_INT32 || whole < -MAX_INT32 - 1) throw new StepFailure(`${what}: ${whole} is out of range (at most ${MAX_INT32})`);
    return whole;
  }
  throw new StepFailure(`${what}: expected a number, got ${value === null ? 'null' : typeof value}`);
}

/** A code on a throw (error/escalation): literal, or an expression yielding text (Zeebe allows `=` codes). */
export function evaluateCode(code: string | undefined, lookup: Lookup, what: string): string {
  if (code === undefined) return '';
  return isExpression(code) ? evaluateText(code, lookup, what) : code;
}
