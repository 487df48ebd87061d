import { EvaluationResult } from '../types.js';
import { compileJuel } from './compile.js';

function run(text: string, context: Record<string, unknown> = {}): EvaluationResult {
  const result = compileJuel(text);
  if (!result.ok) throw new Error(`expected ${text} to compile: ${JSON.stringify(result.problems)}`);
  return result.expression.evaluate(context);
}

const order = { total: 250, lines: [{ sku: 'A', qty: 2 }], customer: { name: 'Ada', vip: true } };

describe('JUEL evaluation', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    // literals and whole-expression raw values
    ['${42}', {}, 42],
    ['${1.5e2}', {}, 150],
    ['${.5}', {}, 0.5],
    ["${'text'}", {}, 'text'],
    ['${"text"}', {}, 'text'],
    ['${true}', {}, true],
    ['${null}', {}, null],
    ['${order}', { order }, order],
    ['${order.lines}', { order }, order.lines],
    ['  ${approved}\n  ', { approved: true }, true],
    ['#{approved}', { approved: false }, false],
    // property access
    ['${order.customer.name}', { order }, 'Ada'],
    ["${order['customer']['vip']}", { order }, true],
    ['${order.lines[0].sku}', { order }, 'A'],
    ["${order.lines['0'].qty}", { order }, 2],
    ['${order.lines[5]}', { order }, null],
    ['${order.missing}', { order }, null],
    ['${order.missing.deeper}', { order }, null],
    ['${order[key]}', { order, key: 'total' }, 250],
    ['${nothing.at.all}', { nothing: null }, null],
    ['${x}', { x: undefined }, null],
    // comparisons, symbol and word forms
    ['${order.total > 100}', { order }, true],
    ['${order.total gt 100 and order.customer.vip}', { order }, true],
    ['${a == b}', { a: 1, b: 1 }, true],
    ['${a eq b}', { a: 'x', b: 'y' }, false],
    ['${a != b}', { a: 1, b: 2 }, true],
    ['${a ne b}', { a: 1, b: 1 }, false],
    ['${2 < 10}', {}, true],
    ["${'2' < '10'}", {}, false],
    ["${'b' lt 'c'}", {}, true],
    ['${3 >= 3 && 3 le 3}', {}, true],
    ['${x > 1}', { x: null }, false],
    ['${x <= y}', { x: null, y: null }, true],
    // EL coercions
    ["${'5' == 5}", {}, true],
    ["${'5.0' == 5}", {}, true],
    ["${flag == 'true'}", { flag: true }, true],
    ["${flag == 'yes'}", { flag: true }, false],
    ["${status == 'OPEN'}", { status: 'OPEN' }, true],
    ['${x == null}', { x: null }, true],
    ['${x == null}', { x: 0 }, false],
    ['${x eq 0}', { x: null }, false],
    ['${a == b}', { a: { k: [1, 2] }, b: { k: [1, 2] } }, true],
    ['${a == b}', { a: [1, 2], b: [2, 1] }, false],
    ['${amount > 100}', { amount: '150' }, true],
    // logic
    ['${!approved}', { approved: false }, true],
    ['${not approved}', { approved: true }, false],
    ['${a || b}', { a: false, b: true }, true],
    ['${a or b}', { a: null, b: false }, false],
    ["${flag && 'TRUE'}", { flag: true }, true],
    ['${x != null && x.y > 1}', { x: null }, false],
    ['${x == null || x.y > 1}', { x: null }, true],
    // arithmetic
    ['${1 + 2 * 3}', {}, 7],
    ['${(1 + 2) * 3}', {}, 9],
    ['${10 - 2 - 3}', {}, 5],
    ['${7 / 2}', {}, 3.5],
    ['${7 div 2}', {}, 3.5],
    ['${7 % 3}', {}, 1],
    ['${7 mod 3}', {}, 1],
    ['${-x + 1}', { x: 3 }, -2],
    ['${- -2}', {}, 2],
    ['${x + 1}', { x: null }, 1],
    ["${'2' + 3}", {}, 5],
    // empty
    ['${empty x}', { x: null }, true],
    ["${empty ''}", {}, true],
    ['${empty list}', { list: [] }, true],
    ['${empty list}', { list: [0] }, false],
    ['${empty map}', { map: {} }, true],
    ['${not empty name}', { name: 'Ada' }, true],
    ['${empty order.missing}', { order }, true],
    // ternary, right-associative
    ["${vip ? 'gold' : 'basic'}", { vip: true }, 'gold'],
    ["${a ? 'a' : b ? 'b' : 'none'}", { a: false, b: true }, 'b'],
    ["${score > 90 ? 'A' : score > 80 ? 'B' : 'C'}", { score: 85 }, 'B'],
    // execution.getVariable reads a variable, null when absent
    ["${execution.getVariable('amount') > 10}", { amount: 20 }, true],
    ["${execution.getVariable('missing')}", {}, null],
  ])('%s with %j → %j', (text, context, value) => {
    expect(run(text, context)).toEqual({ ok: true, value });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['Hello ${name}!', { name: 'Ada' }, 'Hello Ada!'],
    ['${a}${b}', { a: 1, b: 2 }, '12'],
    ['${a} ${b}', { a: true, b: null }, 'true '],
    ['Order ${order.total > 100 ? "big" : "small"}', { order }, 'Order big'],
    ['Items: ${list}', { list: [1, 'a'] }, 'Items: [1,"a"]'],
    ['Costs \\${price}', {}, 'Costs ${price}'],
    ['a #{x} b', { x: 'mid' }, 'a mid b'],
  ])('template %s with %j → %j', (text, context, value) => {
    expect(run(text, context)).toEqual({ ok: true, value });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['${missing}', {}, "unknown variable 'missing'"],
    ['${missing.x}', {}, "unknown variable 'missing'"],
    ['Hello ${name}', {}, "unknown variable 'name'"],
    ["${'abc' + 1}", {}, 'cannot convert "abc" to a number'],
    ['${a + b}', { a: true, b: 1 }, 'cannot convert true to a number'],
    ['${x == 1}', { x: 'one' }, 'cannot convert "one" to a number'],
    ['${count && true}', { count: 1 }, 'cannot convert 1 to a boolean'],
    ['${1 / 0}', {}, 'division by zero'],
    ['${1 % 0}', {}, 'division by zero'],
    ['${a < b}', { a: { x: 1 }, b: 'x' }, 'cannot compare object with string'],
    ['${name.length}', { name: 'Ada' }, 'cannot read property "length" of string'],
    ['${list.size}', { list: [1] }, 'cannot read property "size" of a list (use a numeric index)'],
    ['${order[key]}', { order, key: 'constructor' }, "access to 'constructor' is not allowed"],
    ['${order[key]}', { order, key: '__proto__' }, "access to '__proto__' is not allowed"],
    ['${when.time}', { when: new Date(0) }, 'cannot read property "time" of Date'],
  ])('%s with %j fails: %s', (text, context, message) => {
    expect(run(text, context)).toEqual({ ok: false, message });
  });

  it('reads only own properties, never inherited ones', () => {
    const inherited = Object.create({ secret: 1 }) as Record<string, unknown>;
    expect(run('${o.secret}', { o: inherited })).toEqual({ ok: false, message: 'cannot read property "secret" of Object' });
    expect(run('${o.toString}', { o: {} })).toEqual({ ok: true, value: null });
    expect(run('${o.hasOwnProperty}', { o: {} })).toEqual({ ok: true, value: null });
    expect(run('${toString}', {})).toEqual({ ok: false, message: "unknown variable 'toString'" });
  });

  it('fails instead of throwing when reading the context throws', () => {
    const context = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    }) as Record<string, unknown>;
    expect(run('${x}', context)).toEqual({ ok: false, message: 'expression evaluation failed: boom' });
  });

  it('never hands out functions or class instances from the context', () => {
    class Box {
      constructor(readonly inside: number) {}
    }
    expect(run('${fn}', { fn: () => 1 })).toEqual({ ok: true, value: null });
    expect(run('${box}', { box: new Box(3) })).toEqual({ ok: true, value: { inside: 3 } });
    expect(run('${when}', { when: new Date('2026-01-01T00:00:00Z') })).toEqual({ ok: true, value: '2026-01-01T00:00:00.000Z' });
  });
});
