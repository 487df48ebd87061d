import { describeType, pickPlain, toPlainData } from './plain-data.js';

describe('toPlainData', () => {
  it.each<[string, unknown, unknown]>([
    ['string', 'a', 'a'],
    ['number', 1.5, 1.5],
    ['NaN', NaN, null],
    ['Infinity', Infinity, null],
    ['boolean', false, false],
    ['null', null, null],
    ['undefined', undefined, null],
    ['function', () => 1, null],
    ['bigint', BigInt(1), null],
    ['date', new Date('2026-01-01T00:00:00Z'), '2026-01-01T00:00:00.000Z'],
    ['invalid date', new Date(NaN), null],
    ['array with holes and functions', [1, undefined, () => 1], [1, null, null]],
    ['object dropping undefined and functions', { a: 1, b: undefined, c: () => 1, d: { e: [true] } }, { a: 1, d: { e: [true] } }],
    ['map (no own enumerable data)', new Map([['a', 1]]), {}],
  ])('%s', (_name, input, expected) => {
    expect(toPlainData(input)).toEqual(expected);
  });

  it('copies class instances into plain objects of their own data', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get sum(): number {
        return this.x + this.y;
      }
    }
    const copy = toPlainData(new Point(1, 2)) as Record<string, unknown>;
    expect(copy).toEqual({ x: 1, y: 2 });
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('drops __proto__ keys instead of changing the prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const copy = toPlainData(hostile) as Record<string, unknown>;
    expect(copy).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('breaks cycles instead of throwing', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(toPlainData(a)).toEqual({ name: 'a', self: null });
  });

  it('returns a copy, not the original', () => {
    const original = { list: [1] };
    const copy = toPlainData(original) as { list: number[] };
    copy.list.push(2);
    expect(original.list).toEqual([1]);
  });
});

describe('pickPlain', () => {
  it('copies only the named own variables', () => {
    const context = Object.assign(Object.create({ inherited: 1 }) as object, { a: 1, b: { c: 2 }, skip: 3, u: undefined });
    expect(pickPlain(context, ['a', 'b', 'missing', 'inherited', 'u', 'toString'])).toEqual({ a: 1, b: { c: 2 } });
  });
});

describe('describeType', () => {
  it.each<[unknown, string]>([
    [null, 'null'],
    [[1], 'list'],
    [{}, 'object'],
    ['s', 'string'],
    [1, 'number'],
    [true, 'boolean'],
    [new Date(0), 'Date'],
  ])('%j → %s', (value, name) => {
    expect(describeType(value)).toBe(name);
  });
});
