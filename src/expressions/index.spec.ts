import {
  compileCached,
  compileExpression,
  CompiledExpression,
  evaluateCondition,
  expressionKind,
  ExpressionKind,
  MAX_EXPRESSION_LENGTH,
} from './index.js';

function compiled(text: string): CompiledExpression {
  const result = compileExpression(text);
  if (!result.ok) throw new Error(`expected ${text} to compile: ${JSON.stringify(result.problems)}`);
  return result.expression;
}

describe('expressionKind', () => {
  it.each<[string, ExpressionKind]>([
    ['= x > 1', 'feel'],
    ['=x', 'feel'],
    ['  = x', 'feel'],
    ['= "${not juel}"', 'feel'],
    ['${x > 1}', 'juel'],
    ['#{x}', 'juel'],
    ['Hello ${name}!', 'juel'],
    ['  ${x}  ', 'juel'],
    ['accounting', 'literal'],
    ['a = b', 'literal'],
    ['', 'literal'],
    ['costs $5 {total}', 'literal'],
  ])('%j is %s', (text, kind) => {
    expect(expressionKind(text)).toBe(kind);
  });
});

describe('compileExpression', () => {
  it('keeps the source as written and sorts variables', () => {
    const expr = compiled('= b + a');
    expect(expr.source).toBe('= b + a');
    expect(expr.kind).toBe('feel');
    expect(expr.variables).toEqual(['a', 'b']);
  });

  it.each([
    ['accounting', 'accounting'],
    ['', ''],
    ['  spaced  ', '  spaced  '],
  ])('a literal %j evaluates to its own text and reads nothing', (text, value) => {
    const expr = compiled(text);
    expect(expr.kind).toBe('literal');
    expect(expr.variables).toEqual([]);
    expect(expr.evaluate({ accounting: 'other' })).toEqual({ ok: true, value });
  });

  it.each([
    ['FEEL', `= ${'1 + '.repeat(MAX_EXPRESSION_LENGTH / 4)}1`],
    ['JUEL', `\${${'1 + '.repeat(MAX_EXPRESSION_LENGTH / 4)}1}`],
  ])('refuses %s longer than the limit', (_name, text) => {
    const result = compileExpression(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].message).toMatch(/characters long/);
  });

  it.each([
    ['= (', /FEEL syntax error/],
    ['${a +}', /syntax error/],
    ['${a.b()}', /method call 'a\.b\(\)'/],
    ['= matches(x, "(a+)+")', /repeats a group/],
  ])('reports problems for %j without throwing', (text, message) => {
    const result = compileExpression(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].message).toMatch(message);
  });

  it('never throws, even for text that is not a string', () => {
    expect(compileExpression(undefined as unknown as string).ok).toBe(false);
    expect(compileExpression(42 as unknown as string).ok).toBe(false);
    expect(compileExpression(`= ${'('.repeat(5000)}1${')'.repeat(5000)}`).ok).toBe(false);
    expect(compileExpression(`\${${'('.repeat(3000)}1${')'.repeat(3000)}}`).ok).toBe(false);
    expect(compileExpression(`\${${'-'.repeat(3000)}1}`).ok).toBe(false);
  });
});

describe('compileCached', () => {
  it('returns the same result object for the same text', () => {
    const first = compileCached('= amount > 10');
    expect(compileCached('= amount > 10')).toBe(first);
    expect(compileCached('= amount > 11')).not.toBe(first);
  });

  it('caches failures too', () => {
    const first = compileCached('= (');
    expect(first.ok).toBe(false);
    expect(compileCached('= (')).toBe(first);
  });
});

describe('evaluateCondition', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['= amount > 100', { amount: 150 }, true],
    ['= amount > 100', { amount: 50 }, false],
    ['${amount > 100}', { amount: 150 }, true],
    ['  ${approved}\n', { approved: false }, false],
    ['= approved', { approved: true }, true],
  ])('%j with %j is %s', (text, context, value) => {
    expect(evaluateCondition(compiled(text), context)).toEqual({ ok: true, value });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['= amount > 100', {}, /^condition '= amount > 100' returned null, expected boolean \(Variable 'amount' not found\)$/],
    ['= amount', { amount: 5 }, /returned number 5, expected boolean/],
    ['= name', { name: 'yes' }, /returned string "yes", expected boolean/],
    ['= items', { items: [1] }, /returned list, expected boolean/],
    ['${flag}', { flag: 'true' }, /returned string "true", expected boolean/],
    ['${order}', { order: { a: 1 } }, /returned object, expected boolean/],
    ['yes', {}, /returned string "yes", expected boolean/],
    ['Approved: ${ok}', { ok: true }, /returned string "Approved: true"/],
  ])('%j with %j fails instead of being false', (text, context, message) => {
    const result = evaluateCondition(compiled(text), context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('passes an evaluation failure through', () => {
    expect(evaluateCondition(compiled('${missing > 1}'), {})).toEqual({ ok: false, message: "unknown variable 'missing'" });
  });
});
