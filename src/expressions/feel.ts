import { evaluate as feelEvaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime, isFunction, isRange } from 'feelin';
import { lintFeel } from './feel-lint.js';
import { FEEL_DIALECT, firstSyntaxError, parseFeel } from './feel-tree.js';
import { collectFeelVariables } from './feel-variables.js';
import { describeType, isPlainObject, pickPlain } from './plain-data.js';
import { CompileResult, CompiledExpression, EvaluationResult, ExpressionProblem, MAX_EXPRESSION_LENGTH } from './types.js';

const MAX_WARNINGS = 5;

/** Compiles Camunda 8 text (`= …`): parse, report syntax errors, lint, find the variables read. */
export function compileFeel(source: string): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    // Checked before parsing: parse time and every later walk grow with the text.
    return fail({ message: `expression is ${source.length} characters long (limit ${MAX_EXPRESSION_LENGTH})` });
  }
  const offset = source.indexOf('=') + 1;
  const body = source.slice(offset);
  if (body.trim() === '') return fail({ message: 'FEEL expression is empty after "="', position: { from: 0, to: source.length } });

  let tree: ReturnType<typeof parseFeel>;
  try {
    tree = parseFeel(body);
  } catch (error) {
    return fail({ message: `FEEL syntax error: ${errorMessage(error)}` });
  }
  const syntax = firstSyntaxError(tree, body);
  if (syntax) {
    const column = offset + syntax.from + 1;
    return fail({ message: `FEEL syntax error at column ${column}: ${syntax.message}`, position: shift({ from: syntax.from, to: syntax.to }, offset) });
  }
  const problems = lintFeel(tree, body).map((problem) => ({
    message: problem.message,
    ...(problem.position ? { position: shift(problem.position, offset) } : {}),
  }));
  if (problems.length > 0) return { ok: false, problems };

  const variables = Object.freeze(collectFeelVariables(tree.topNode, body));
  const expression: CompiledExpression = Object.freeze({
    source,
    kind: 'feel' as const,
    variables,
    evaluate: (context: Readonly<Record<string, unknown>>) => evaluateFeel(body, variables, context),
  });
  return { ok: true, expression };
}

function evaluateFeel(body: string, variables: readonly string[], context: Readonly<Record<string, unknown>>): EvaluationResult {
  // Only the variables the text reads, copied to plain data: feelin never sees functions or
  // class instances, and copying/scanning stays proportional to the expression, not the instance.
  let result: { value: unknown; warnings: { message: string }[] };
  try {
    result = feelEvaluate(body, pickPlain(context, variables), FEEL_DIALECT);
  } catch (error) {
    return { ok: false, message: `FEEL evaluation failed: ${errorMessage(error)}` };
  }
  const converted = fromFeel(result.value, 0);
  if (!converted.ok) return converted;
  // A missing variable is not a failure in FEEL (it reads as null); the warning keeps the reason.
  // Capped: a loop over a large list can produce one warning per item.
  const warnings = [...new Set(result.warnings.map((warning) => warning.message))].slice(0, MAX_WARNINGS);
  return warnings.length > 0 ? { ok: true, value: converted.value, warnings } : { ok: true, value: converted.value };
}

/**
 * FEEL values → plain data the engine can store as variables. Temporal values become their
 * ISO-8601 text (as Zeebe stores them); functions and ranges have no stored form, so returning
 * one is a failure rather than a silently lost value.
 */
function fromFeel(value: unknown, depth: number): { ok: true; value: unknown } | { ok: false; message: string } {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (typeof value === 'number') return { ok: true, value: Number.isFinite(value) ? value : null };
  if (typeof value === 'string' || typeof value === 'boolean') return { ok: true, value };
  if (value instanceof FeelDateTime || value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDuration) {
    return { ok: true, value: value.toString() };
  }
  if (isFunction(value) || typeof value === 'function') return { ok: false, message: 'FEEL expression returned a function, which cannot be stored as a value' };
  if (isRange(value)) return { ok: false, message: 'FEEL expression returned a range, which cannot be stored as a value' };
  if (depth > 64) return { ok: false, message: 'FEEL result is nested too deeply' };
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const converted = fromFeel(item, depth + 1);
      if (!converted.ok) return converted;
      out.push(converted.value);
    }
    return { ok: true, value: out };
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === '__proto__') continue;
      const converted = fromFeel(value[key], depth + 1);
      if (!converted.ok) return converted;
      out[key] = converted.value;
    }
    return { ok: true, value: out };
  }
  return { ok: false, message: `FEEL expression returned an unsupported value (${describeType(value)})` };
}

function shift(position: { from: number; to: number }, offset: number): { from: number; to: number } {
  return { from: position.from + offset, to: position.to + offset };
}

function fail(problem: ExpressionProblem): CompileResult {
  return { ok: false, problems: [problem] };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
