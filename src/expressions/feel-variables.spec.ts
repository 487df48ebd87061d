import { collectFeelVariables } from './feel-variables.js';
import { parseFeel } from './feel-tree.js';

function variables(body: string): string[] {
  return collectFeelVariables(parseFeel(body).topNode, body);
}

describe('FEEL variables', () => {
  it.each<[string, string[]]>([
    ['1 + 2', []],
    ['"text"', []],
    ['x', ['x']],
    ['b > a', ['a', 'b']],
    ['x + x', ['x']],
    ['a.b.c', ['a']],
    ['a.b[1].c', ['a']],
    ['order total > 100', ['order total']],
    ['order   total', ['order total']],
    ['`order-id`', ['order-id']],
    ['if approved then amount else 0', ['amount', 'approved']],
    // iterators, `partial`, parameters and earlier context keys are bound, not read
    ['for i in items return i.price * rate', ['items', 'rate']],
    ['for i in 1..3, j in i..n return i + j', ['n']],
    ['for i in xs return for j in i return j + k', ['k', 'xs']],
    ['for i in 1..3 return if i = 1 then 1 else partial[-1] + i', []],
    ['partial', ['partial']],
    ['some x in xs satisfies x > limit', ['limit', 'xs']],
    ['every x in xs satisfies x > limit', ['limit', 'xs']],
    ['(for i in xs return i) + [i]', ['i', 'xs']],
    ['function(a, b) a + b + c', ['c']],
    ['{a: 1, b: a + q}', ['q']],
    ['{b: a, a: 1}', ['a']],
    ['{"first key": 1, second: first key}', []],
    // built-ins in call position are not variables; as values they may be
    ['count(items) + sum(values)', ['items', 'values']],
    ['string length(name)', ['name']],
    ['count > 3', ['count']],
    ['myFunction(x)', ['myFunction', 'x']],
    ['date and time(d) > now()', ['d']],
    ['@"2026-01-01"', []],
    ['x instance of string', ['x']],
    // inside a filter, names may be item properties or variables: both are kept
    ['items[price > limit].name', ['items', 'limit', 'price']],
    ['items[item.price > 10]', ['item', 'items']],
    ['matches(input: text, pattern: p)', ['p', 'text']],
    ['a between low and high', ['a', 'high', 'low']],
  ])('%s → %j', (body, expected) => {
    expect(variables(body)).toEqual(expected);
  });
});
