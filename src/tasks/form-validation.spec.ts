import { validateAgainstForm } from './form-validation.js';

const schema = (components: unknown[]) => ({ schema: { type: 'default', components } });

describe('validateAgainstForm (form-js)', () => {
  it('accepts anything without a form, and a valid submission', () => {
    expect(validateAgainstForm(null, { x: 1 }, {})).toEqual([]);
    expect(validateAgainstForm(schema([{ type: 'textfield', key: 'name', validate: { required: true } }]), { name: 'Ann' }, {})).toEqual([]);
  });

  it('counts a value the task already has as filled in, but checks types of submitted values only', () => {
    const form = schema([{ type: 'number', key: 'amount', validate: { required: true, max: 10 } }]);
    expect(validateAgainstForm(form, {}, { amount: 500 })).toEqual([]);
    expect(validateAgainstForm(form, { amount: 500 }, {})).toEqual([{ field: 'amount', message: 'must be at most 10' }]);
    expect(validateAgainstForm(form, { amount: null }, { amount: 5 })).toEqual([{ field: 'amount', message: 'is required' }]);
  });

  it('skips readonly, disabled and hidden fields, and display-only components', () => {
    const form = schema([
      { type: 'text', text: 'hello' },
      { type: 'textfield', key: 'a', readonly: true, validate: { required: true } },
      { type: 'textfield', key: 'b', disabled: true, validate: { required: true } },
      { type: 'textfield', key: 'c', conditional: { hide: '=mode = "simple"' }, validate: { required: true } },
      { type: 'button', key: 'submit' },
    ]);
    expect(validateAgainstForm(form, { mode: 'simple' }, {})).toEqual([]);
    expect(validateAgainstForm(form, { mode: 'full' }, {})).toEqual([{ field: 'c', message: 'is required' }]);
  });

  it('validates dynamic lists item by item and options from a variable', () => {
    const form = schema([
      {
        type: 'dynamiclist',
        path: 'items',
        components: [
          { type: 'textfield', key: 'sku', validate: { required: true } },
          { type: 'select', key: 'unit', valuesKey: 'units' },
        ],
      },
    ]);
    expect(validateAgainstForm(form, { items: [{ sku: 'A', unit: 'kg' }, { unit: 'ton' }] }, { units: [{ label: 'Kilogram', value: 'kg' }] })).toEqual([
      { field: 'items[1].sku', message: 'is required' },
      { field: 'items[1].unit', message: "must be one of: 'kg'" },
    ]);
    expect(validateAgainstForm(form, { items: 'many' }, {})).toEqual([{ field: 'items', message: 'must be a list' }]);
  });

  it('reads numbers serialised as text when the field says so, and date/time subtypes', () => {
    const form = schema([
      { type: 'number', key: 'big', serializeToString: true },
      { type: 'number', key: 'plain' },
      { type: 'datetime', key: 'at', subtype: 'time' },
      { type: 'datetime', key: 'when', subtype: 'datetime' },
    ]);
    expect(validateAgainstForm(form, { big: '12345678901234567890', plain: 3, at: '10:30', when: '2025-06-01T10:00:00Z' }, {})).toEqual([]);
    expect(validateAgainstForm(form, { big: 'x', plain: '3', at: '25h', when: 'later' }, {})).toEqual([
      { field: 'big', message: 'must be a number' },
      { field: 'plain', message: 'must be a number' },
      { field: 'at', message: 'must be a time (HH:mm)' },
      { field: 'when', message: 'must be an ISO-8601 date-time' },
    ]);
  });

  it('ignores a pattern that does not compile rather than blaming the submitter', () => {
    expect(validateAgainstForm(schema([{ type: 'textfield', key: 'x', validate: { pattern: '([' } }]), { x: 'anything' }, {})).toEqual([]);
  });
});

describe('validateAgainstForm (Camunda 7 formData)', () => {
  const field = (id: string, type: string, extra: Record<string, unknown> = {}) => ({ id, type, required: false, constraints: [], values: [], ...extra });

  it('checks required, types, enums and ranges; leaves custom types alone', () => {
    const form = {
      fields: [
        field('n', 'long', { required: true, constraints: [{ name: 'required' }, { name: 'min', config: '2' }] }),
        field('d', 'date'),
        field('e', 'enum', { values: [{ id: 'a' }, { id: 'b' }] }),
        field('c', 'custom-type'),
        field('r', 'string', { required: true, constraints: [{ name: 'required' }, { name: 'readonly' }] }),
      ],
    };
    expect(validateAgainstForm(form, { n: 3, d: '31/12/2025', e: 'a', c: { any: 'thing' } }, {})).toEqual([]);
    expect(validateAgainstForm(form, { n: 1, d: '2025-12-31', e: 'z' }, {})).toEqual([
      { field: 'n', message: 'must be at least 2' },
      { field: 'e', message: "must be one of: 'a', 'b'" },
    ]);
    expect(validateAgainstForm(form, {}, {})).toEqual([{ field: 'n', message: 'is required' }]);
  });
});
