import { hasNestedQuantifier, lintFeel } from './feel-lint.js';
import { parseFeel } from './feel-tree.js';

function lint(body: string): string[] {
  return lintFeel(parseFeel(body), body).map((problem) => problem.message);
}

describe('FEEL lint', () => {
  it.each([
    'for i in 1..100000 return i',
    'for i in -50000..49999 return i',
    'for i in [1..1000] return i',
    'for i in xs, j in ys return i + j',
    'for i in xs return for j in i return j',
    'for i in 1..300, j in 1..300 return i * j',
    'some x in 1..100000 satisfies x > 5',
    'x in [1..10000000]',
    'matches(s, "^[a-z]+$")',
    'matches(s, "(ab)+c*")',
    'matches(s, pattern)',
    'replace(s, "a+", "b")',
    'split(s, ",\\\\s*")',
    'count([1..10000000])',
  ])('accepts %s', (body) => {
    expect(lint(body)).toEqual([]);
  });

  it.each<[string, RegExp]>([
    ['for i in 1..100001 return i', /range of 100001 values is too large/],
    ['for i in 0..1000000000 return i', /range of 1000000001 values/],
    ['for i in [1..200000] return i', /range of 200000 values/],
    ['every x in 1..1000000 satisfies x > 0', /range of 1000000 values/],
    ['for i in 1..1000, j in 1..1000 return i', /nested ranges iterate 1000000 times/],
    ['for i in 1..1000 return for j in 1..1000 return j', /nested ranges iterate 1000000 times/],
    ['for a in x, b in y, c in z return a', /nested more than 2 deep/],
    ['for a in x return for b in a return for c in b return c', /nested more than 2 deep/],
    ['for a in x return some b in a satisfies every c in b satisfies c > 1', /nested more than 2 deep/],
    ['matches(s, "(a+)+$")', /matches\(\) pattern "\(a\+\)\+\$" repeats a group/],
    ['matches(input: s, pattern: "(x*)*")', /repeats a group/],
    ['replace(s, "(a|b+)*", "")', /replace\(\) pattern/],
    ['split(s, "(\\\\s+)+")', /split\(\) pattern/],
  ])('refuses %s', (body, message) => {
    const problems = lint(body);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('refuses trees deep enough to overflow the evaluator', () => {
    const body = `${'['.repeat(500)}1${']'.repeat(500)}`;
    expect(lint(body)).toEqual([expect.stringMatching(/nested too deeply/)]);
  });

  it('reports where the problem is', () => {
    const body = 'x + count(for i in 1..999999 return i)';
    const [problem] = lintFeel(parseFeel(body), body);
    expect(body.slice(problem.position!.from, problem.position!.to)).toBe('i in 1..999999');
  });
});

describe('hasNestedQuantifier', () => {
  it.each<[string, boolean]>([
    ['(a+)+', true],
    ['(a*)*', true],
    ['(a+)*b', true],
    ['(a{2,})+', true],
    ['(a+){2,5}', true],
    ['((ab)+c)+', true],
    ['(?:a+)+', true],
    ['(?<name>\\d+)+', true],
    ['(\\w+\\s?)*$', true],
    ['a+b+', false],
    ['(ab)+', false],
    ['(a+)', false],
    ['(a+){3}', false],
    ['(a+)?', false],
    ['\\(a+\\)+', false],
    ['[(a+)]+', false],
    ['[\\]+]+', false],
    ['(?=a+)b', false],
    ['^\\d{3}-\\d{4}$', false],
  ])('%s → %s', (pattern, nested) => {
    expect(hasNestedQuantifier(pattern)).toBe(nested);
  });
});
