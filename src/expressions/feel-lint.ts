import { children, FeelNode, FeelTree, nameOf, stringLiteralValue, treeDepth } from './feel-tree.js';
import { ExpressionProblem } from './types.js';

/**
 * Deploy-time checks for FEEL that can stall the engine. feelin evaluates synchronously on the
 * event loop with no way to interrupt it, and measured here a 100,000-step `for` takes ~100 ms and
 * `matches("aaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$")` takes ~4.6 s: one such condition in a hot
 * process would freeze every instance on that replica. What can be seen in the text is refused
 * here; loops over variable-sized data cannot be judged statically and are out of scope.
 * Offsets in problems are relative to the FEEL body; the caller shifts them to the source.
 */

/** Deeper trees risk a stack overflow in feelin's recursive evaluator (and in our own walkers). */
export const MAX_TREE_DEPTH = 400;
/** Iterators nest multiplicatively: three nested loops over 50 items are already 125,000 steps. */
export const MAX_ITERATION_NESTING = 2;
/** ~100 ms of feelin time (measured); more is a model bug, not a business rule. */
export const MAX_LITERAL_ITERATIONS = 100_000;

/** Functions whose argument is a regular expression, with the position and name of that argument. */
const REGEX_FUNCTIONS: Record<string, { index: number; param: string }> = {
  matches: { index: 1, param: 'pattern' },
  replace: { index: 1, param: 'pattern' },
  split: { index: 1, param: 'delimiter' },
};

export function lintFeel(tree: FeelTree, body: string): ExpressionProblem[] {
  if (treeDepth(tree) > MAX_TREE_DEPTH) {
    // The other rules walk recursively, so they are skipped for a tree this deep.
    return [{ message: `expression is nested too deeply (more than ${MAX_TREE_DEPTH} levels)` }];
  }
  const problems: ExpressionProblem[] = [];
  walk(tree.topNode, 0, 1, body, problems);
  return problems;
}

/**
 * `nesting` counts enclosing iterators (`for a in x, b in y` is two), `steps` multiplies the
 * literal range sizes among them, so `for i in 1..1000, j in 1..1000` (10^6 steps) is caught even
 * though each range alone is small.
 */
function walk(node: FeelNode, nesting: number, steps: number, body: string, problems: ExpressionProblem[]): void {
  if (node.name === 'ForExpression' || node.name === 'QuantifiedExpression') {
    let innerNesting = nesting;
    let innerSteps = steps;
    for (const child of children(node)) {
      if (child.name !== 'InExpressions') {
        walk(child, innerNesting, innerSteps, body, problems);
        continue;
      }
      for (const inExpr of children(child)) {
        for (const part of children(inExpr)) walk(part, innerNesting, innerSteps, body, problems);
        innerNesting += 1;
        const context = children(inExpr).find((part) => part.name === 'IterationContext');
        const span = context ? literalRangeSize(context, body) : null;
        if (span !== null) innerSteps *= span;
        if (innerNesting === MAX_ITERATION_NESTING + 1) {
          problems.push(at(inExpr, `iterations nested more than ${MAX_ITERATION_NESTING} deep ('for'/'some'/'every'); flatten the data first`));
        }
        if (span !== null && span > MAX_LITERAL_ITERATIONS) {
          problems.push(at(inExpr, `range of ${span} values is too large to iterate (limit ${MAX_LITERAL_ITERATIONS})`));
        } else if (innerSteps > MAX_LITERAL_ITERATIONS && innerSteps / (span ?? 1) <= MAX_LITERAL_ITERATIONS) {
          problems.push(at(inExpr, `nested ranges iterate ${innerSteps} times (limit ${MAX_LITERAL_ITERATIONS})`));
        }
      }
    }
    return;
  }
  if (node.name === 'FunctionInvocation') checkRegexCall(node, body, problems);
  for (const child of children(node)) walk(child, nesting, steps, body, problems);
}

/** Size of `1..n` or `[1..n]` with numeric literal bounds; null when a bound is not a literal. */
function literalRangeSize(context: FeelNode, body: string): number | null {
  let bounds = children(context);
  if (bounds.length === 1 && bounds[0].name === 'SimplePositiveUnaryTest') bounds = children(bounds[0]);
  if (bounds.length === 1 && bounds[0].name === 'Interval') bounds = children(bounds[0]);
  const numbers = bounds.filter((part) => part.name !== '[' && part.name !== ']' && part.name !== '(' && part.name !== ')' && part.name !== '..');
  if (numbers.length !== 2 || !bounds.some((part) => part.name === '..')) return null;
  if (numbers.some((part) => part.name !== 'NumericLiteral')) return null;
  const [from, to] = numbers.map((part) => Number(body.slice(part.from, part.to).replace(/\s+/g, '')));
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  return Math.floor(Math.abs(to - from)) + 1;
}

function checkRegexCall(node: FeelNode, body: string, problems: ExpressionProblem[]): void {
  const [callee, , args] = children(node);
  if (callee?.name !== 'VariableName' || !args) return;
  const fn = nameOf(callee, body);
  const spec = Object.prototype.hasOwnProperty.call(REGEX_FUNCTIONS, fn) ? REGEX_FUNCTIONS[fn] : undefined;
  if (!spec) return;
  let pattern: FeelNode | undefined;
  if (args.name === 'PositionalParameters') {
    pattern = children(args)[spec.index];
  } else if (args.name === 'NamedParameters') {
    const named = children(args).find((param) => {
      const paramName = param.firstChild;
      return paramName !== null && nameOf(paramName, body) === spec.param;
    });
    pattern = named ? children(named)[1] : undefined;
  }
  if (pattern?.name !== 'StringLiteral') return; // a pattern from a variable cannot be judged here
  const source = stringLiteralValue(pattern, body);
  if (hasNestedQuantifier(source)) {
    problems.push(
      at(pattern, `${fn}() pattern ${JSON.stringify(source)} repeats a group that itself repeats (like (a+)+); such patterns can backtrack for minutes, rewrite it without nested quantifiers`),
    );
  }
}

/**
 * Star height > 1: a repeated group containing a repeated element, the classic catastrophic
 * backtracking shape. It flags some harmless patterns (`(\d+\.)+`), which is the safe direction.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = [false]; // per open group: does it contain a repeat?
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i = skipClass(pattern, i);
    } else if (c === '(') {
      groups.push(false);
      i += 1;
      if (pattern[i] === '?') i = skipGroupPrefix(pattern, i);
    } else if (c === ')') {
      const inner = groups.length > 1 ? (groups.pop() as boolean) : false;
      const quantifier = readQuantifier(pattern, i + 1);
      if (inner && quantifier.repeats) return true;
      groups[groups.length - 1] ||= inner || quantifier.repeats;
      i = quantifier.end;
    } else {
      const quantifier = readQuantifier(pattern, i);
      if (quantifier.end > i) {
        groups[groups.length - 1] ||= quantifier.repeats;
        i = quantifier.end;
      } else {
        i += 1;
      }
    }
  }
  return false;
}

function readQuantifier(pattern: string, i: number): { repeats: boolean; end: number } {
  const c = pattern[i];
  let end = i;
  let repeats = false;
  if (c === '*' || c === '+') {
    repeats = true;
    end = i + 1;
  } else if (c === '?') {
    end = i + 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (m) {
      repeats = m[2] !== undefined && (m[3] === '' || Number(m[3]) > 1);
      end = i + m[0].length;
    }
  }
  if (end > i && (pattern[end] === '?' || pattern[end] === '+')) end += 1; // lazy / possessive
  return { repeats, end };
}

function skipClass(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j += 1;
  if (pattern[j] === ']') j += 1;
  while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`: the `?` there is not a quantifier. */
function skipGroupPrefix(pattern: string, i: number): number {
  const m = /^\?(<[A-Za-z_][A-Za-z0-9_]*>|<=|<!|[:=!])/.exec(pattern.slice(i));
  return m ? i + m[0].length : i + 1;
}

function at(node: FeelNode, message: string): ExpressionProblem {
  return { message, position: { from: node.from, to: node.to } };
}
