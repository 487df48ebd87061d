import { compileFeel } from './feel.js';
import { CompiledExpression } from './types.js';

function feel(text: string): CompiledExpression {
  const result = compileFeel(text);
  if (!result.ok) throw new Error(`expected ${text} to compile: ${JSON.stringify(result.problems)}`);
  return result.expression;
}

describe('FEEL evaluation', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['= 1 + 2', {}, 3],
    ['= amount > 100 and status = "open"', { amount: 150, status: 'open' }, true],
    ['= order total * 2', { 'order total': 21 }, 42],
    ['= customer.address.city', { customer: { address: { city: 'Oslo' } } }, 'Oslo'],
    ['= items[1]', { items: ['a', 'b'] }, 'a'],
    ['= count(items[price > 10])', { items: [{ price: 5 }, { price: 20 }, { price: 30 }] }, 2],
    ['= for i in 1..3 return i * factor', { factor: 10 }, [10, 20, 30]],
    ['= some x in xs satisfies x > 2', { xs: [1, 3] }, true],
    ['= if vip then "gold" else "basic"', { vip: false }, 'basic'],
    ['= {total: sum(amounts)}', { amounts: [1, 2, 3] }, { total: 6 }],
    ['= `order-id`', { 'order-id': 'A-1' }, 'A-1'],
    ['= string length(name)', { name: 'Ada' }, 3],
    ['= x in [1..10]', { x: 5 }, true],
    ['= null', {}, null],
  ])('%s with %j → %j', (text, context, value) => {
    expect(feel(text).evaluate(context)).toEqual({ ok: true, value });
  });

  it('turns FEEL temporal results into ISO-8601 text', () => {
    expect(feel('= date and time("2026-01-31T10:00:00Z") + duration("P1D")').evaluate({})).toEqual({
      ok: true,
      value: '2026-02-01T10:00:00Z',
    });
    expect(feel('= duration("PT90M")').evaluate({})).toMatchObject({ ok: true, value: expect.stringMatching(/^PT/) });
    expect(feel('= [date("2026-01-01")]').evaluate({})).toEqual({ ok: true, value: ['2026-01-01'] });
  });

  it('reads a missing variable as null, with the reason as a warning', () => {
    const result = feel('= missing').evaluate({});
    expect(result).toEqual({ ok: true, value: null, warnings: ["Variable 'missing' not found"] });
  });

  it('keeps a few distinct warnings, not one per loop step', () => {
    const result = feel('= for i in 1..50 return missing').evaluate({});
    expect(result).toMatchObject({ ok: true, warnings: ["Variable 'missing' not found"] });
  });

  it('fails instead of throwing when reading the context throws', () => {
    const context = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    }) as Record<string, unknown>;
    expect(feel('= x').evaluate(context)).toEqual({ ok: false, message: 'FEEL evaluation failed: boom' });
  });

  it.each([
    ['= count', /returned a function/],
    ['= function(a) a + 1', /returned a function/],
    ['= {f: function(a) a}', /returned a function/],
  ])('%s fails: a function is not a value', (text, message) => {
    const result = feel(text).evaluate({});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('passes dates as ISO strings and never passes functions or class instances', () => {
    class Money {
      constructor(readonly amount: number) {}
      get doubled(): number {
        return this.amount * 2;
      }
    }
    const context = {
      when: new Date('2026-01-01T00:00:00Z'),
      fn: () => 'called',
      money: new Money(5),
    };
    expect(feel('= when').evaluate(context)).toEqual({ ok: true, value: '2026-01-01T00:00:00.000Z' });
    expect(feel('= fn').evaluate(context)).toMatchObject({ ok: true, value: null });
    expect(feel('= money.amount').evaluate(context)).toEqual({ ok: true, value: 5 });
    expect(feel('= money.doubled').evaluate(context)).toMatchObject({ ok: true, value: null });
  });

  it('gives the evaluator only the variables the expression reads', () => {
    // `order total` would otherwise be read differently when `order` is also in the context.
    const expr = feel('= order total');
    expect(expr.variables).toEqual(['order total']);
    expect(expr.evaluate({ 'order total': 7, order: { total: 1 } })).toEqual({ ok: true, value: 7 });
  });

  it('does not reach JavaScript prototypes through the context', () => {
    expect(feel('= x.constructor').evaluate({ x: {} })).toMatchObject({ ok: true, value: null });
    expect(feel('= x.__proto__').evaluate({ x: {} })).toMatchObject({ ok: true, value: null });
    expect(feel('= constructor').evaluate({})).toMatchObject({ ok: true, value: null });
  });

  it('accepts a context that is not a plain object without throwing', () => {
    expect(feel('= 1').evaluate(null as unknown as Record<string, unknown>)).toEqual({ ok: true, value: 1 });
  });
});

describe('FEEL syntax errors', () => {
  it.each<[string, RegExp, { from: number; to: number } | null]>([
    ['= x +', /^FEEL syntax error at column 6: unexpected end of expression: incomplete arithmetic expression$/, { from: 5, to: 5 }],
    ['= (a', /unexpected end of expression: incomplete parenthesized expression/, null],
    ['= if x then', /incomplete if expression/, null],
    ['= )', /^FEEL syntax error at column 3: unexpected '\)'/, { from: 2, to: 3 }],
    ['= "unterminated', /unexpected '"'/, null],
    ['= {a: }', /unexpected '}' in context entry/, null],
    ['= a ? b', /unexpected '\?'/, null],
    ['=', /empty/, null],
    ['=   ', /empty/, null],
  ])('%j', (text, message, position) => {
    const result = compileFeel(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0].message).toMatch(message);
    if (position) expect(result.problems[0].position).toEqual(position);
  });

  it('reports positions in the source, after leading whitespace and "="', () => {
    const result = compileFeel('  =  1 +');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].position).toEqual({ from: 8, to: 8 });
  });
});
