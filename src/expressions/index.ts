/**
 * Expressions as BPMN models write them: FEEL (Camunda 8, `= …`), the Camunda 7 `${…}` subset,
 * or plain literal text. Pure: no I/O, no clock; compile once at deploy, evaluate many times.
 */
import { compileFeel } from './feel.js';
import { compileJuel } from './juel/compile.js';
import { describeType, describeValue } from './plain-data.js';
import { CompileResult, CompiledExpression, EvaluationResult, ExpressionKind } from './types.js';

export type {
  CompileResult,
  CompiledExpression,
  EvaluationResult,
  ExpressionKind,
  ExpressionProblem,
  SourceSpan,
} from './types.js';
export { MAX_EXPRESSION_LENGTH } from './types.js';
export { toPlainData } from './plain-data.js';
export * from './timer.js';

/**
 * Camunda 8 marks expressions with a leading `=` (Zeebe ignores whitespace before it);
 * Camunda 7 evaluates any text containing `${` or `#{`; everything else is a literal value.
 */
export function expressionKind(text: string): ExpressionKind {
  if (text.trimStart().startsWith('=')) return 'feel';
  if (text.includes('${') || text.includes('#{')) return 'juel';
  return 'literal';
}

/** Parse and lint once (deploy time). Never throws. */
export function compileExpression(text: string): CompileResult {
  if (typeof text !== 'string') return { ok: false, problems: [{ message: `expression must be text, got ${describeType(text)}` }] };
  try {
    switch (expressionKind(text)) {
      case 'feel':
        return compileFeel(text);
      case 'juel':
        return compileJuel(text);
      case 'literal':
        return { ok: true, expression: literal(text) };
    }
  } catch (error) {
    // Defensive: a parser bug must become a deploy error, not a crashed upload.
    return { ok: false, problems: [{ message: `expression could not be compiled: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

function literal(text: string): CompiledExpression {
  const result: EvaluationResult = Object.freeze({ ok: true as const, value: text });
  return Object.freeze({ source: text, kind: 'literal' as const, variables: Object.freeze([]), evaluate: () => result });
}

/**
 * Bounded so a stream of distinct texts (e.g. many deployments over months) cannot grow memory
 * without limit; first-in-first-out is enough since definitions are compiled once each.
 */
const CACHE_LIMIT = 5_000;
const cache = new Map<string, CompileResult>();

/** Same as compileExpression, with a cache keyed by source text (runtime use: compile once per definition). */
export function compileCached(text: string): CompileResult {
  const hit = cache.get(text);
  if (hit) return hit;
  const result = compileExpression(text);
  if (typeof text === 'string') {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(text, result);
  }
  return result;
}

/**
 * Evaluate as a sequence-flow / completion condition. Anything but a boolean is a failure (an
 * incident), never `false`: a condition reading a misspelt variable must stop the instance, not
 * silently route it down the default flow. Camunda 7 and Zeebe both refuse non-booleans too.
 */
export function evaluateCondition(expr: CompiledExpression, context: Readonly<Record<string, unknown>>): EvaluationResult {
  const result = expr.evaluate(context);
  if (!result.ok || typeof result.value === 'boolean') return result;
  const value = result.value;
  const got = typeof value === 'string' || typeof value === 'number' ? `${typeof value} ${describeValue(value)}` : describeType(value);
  const why = result.warnings && result.warnings.length > 0 ? ` (${result.warnings.join('; ')})` : '';
  const source = expr.source.trim();
  const shown = source.length > 100 ? `${source.slice(0, 100)}…` : source;
  return { ok: false, message: `condition '${shown}' returned ${got}, expected boolean${why}` };
}
