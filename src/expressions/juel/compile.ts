import { toPlainData } from '../plain-data.js';
import { CompileResult, CompiledExpression, EvaluationResult, ExpressionProblem, MAX_EXPRESSION_LENGTH } from '../types.js';
import { evaluateJuel, JuelEvaluationError, toText } from './evaluate.js';
import { JuelSyntaxError, tokenize } from './lexer.js';
import { JuelNode, parseJuel } from './parser.js';

type Part = { kind: 'text'; text: string } | { kind: 'expression'; ast: JuelNode };

/**
 * Compiles Camunda 7 text: one or more `${…}` / `#{…}` parts, possibly mixed with literal text.
 * A text that is a single expression (surrounding whitespace aside, since BPMN XML bodies are
 * usually indented) yields the raw value, so `${amount > 100}` is a boolean; a mixed text is a
 * string template. `\${` writes a literal `${`.
 */
export function compileJuel(source: string): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, problems: [{ message: `expression is ${source.length} characters long (limit ${MAX_EXPRESSION_LENGTH})` }] };
  }
  const parts: Part[] = [];
  const variables = new Set<string>();
  const problems: ExpressionProblem[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source[i] === '\\' && (source.startsWith('${', i + 1) || source.startsWith('#{', i + 1))) {
      text += source.slice(i + 1, i + 3);
      i += 3;
      continue;
    }
    if (!source.startsWith('${', i) && !source.startsWith('#{', i)) {
      text += source[i];
      i += 1;
      continue;
    }
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    try {
      const { tokens, end } = tokenize(source, i + 2);
      const parsed = parseJuel(tokens, source);
      parts.push({ kind: 'expression', ast: parsed.ast });
      parsed.variables.forEach((name) => variables.add(name));
      problems.push(...parsed.problems);
      i = end;
    } catch (error) {
      // Where this expression ends is unknown after a syntax error, so scanning stops here.
      if (error instanceof JuelSyntaxError) {
        problems.push({
          message: `expression syntax error at column ${error.from + 1}: ${error.message}`,
          position: { from: error.from, to: error.to },
        });
      } else {
        problems.push({ message: `expression could not be parsed: ${error instanceof Error ? error.message : String(error)}` });
      }
      return { ok: false, problems };
    }
  }
  if (text !== '') parts.push({ kind: 'text', text });
  if (problems.length > 0) return { ok: false, problems };

  const significant = parts.filter((part) => part.kind === 'expression' || part.text.trim() !== '');
  const single = significant.length === 1 && significant[0].kind === 'expression' ? significant[0].ast : null;
  const sortedVariables = Object.freeze([...variables].sort());
  const expression: CompiledExpression = Object.freeze({
    source,
    kind: 'juel' as const,
    variables: sortedVariables,
    evaluate: (context: Readonly<Record<string, unknown>>) => run(parts, single, context),
  });
  return { ok: true, expression };
}

function run(parts: readonly Part[], single: JuelNode | null, context: Readonly<Record<string, unknown>>): EvaluationResult {
  const scope = context !== null && typeof context === 'object' ? context : {};
  try {
    if (single) return { ok: true, value: toPlainData(evaluateJuel(single, scope)) };
    let out = '';
    for (const part of parts) out += part.kind === 'text' ? part.text : toText(evaluateJuel(part.ast, scope));
    return { ok: true, value: out };
  } catch (error) {
    if (error instanceof JuelEvaluationError) return { ok: false, message: error.message };
    // Anything else is a bug here, but an expression must never crash the command that runs it.
    return { ok: false, message: `expression evaluation failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
