import { addDuration, formatIsoDuration, IsoDuration, parseIsoDuration } from './duration.js';

const zero: IsoDuration = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

describe('parseIsoDuration', () => {
  it.each<[string, Partial<IsoDuration>]>([
    ['PT15M', { minutes: 15 }],
    ['P1DT2H', { days: 1, hours: 2 }],
    ['P2W', { weeks: 2 }],
    ['P1Y2M3W4DT5H6M7.5S', { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.5 }],
    ['PT0.25S', { seconds: 0.25 }],
    ['PT1,5S', { seconds: 1.5 }],
    ['PT0S', {}],
    ['P0D', {}],
    ['pt1h', { hours: 1 }],
    ['  PT1H\n', { hours: 1 }],
    ['P1M', { months: 1 }],
    ['PT1M', { minutes: 1 }],
    ['PT36H', { hours: 36 }],
  ])('%j', (text, parts) => {
    expect(parseIsoDuration(text)).toEqual({ ...zero, ...parts });
  });

  it.each(['', 'P', 'PT', 'P1H', 'PT1D', '1H', 'P-1D', '-PT1H', 'P1.5D', 'PT1.5M', 'P1DT', 'PT1H2H', 'P1D1Y', 'P 1D', 'P100000Y', 'PT1e3S'])(
    'refuses %j',
    (text) => {
      expect(parseIsoDuration(text)).toBeNull();
    },
  );

  it('refuses non-text without throwing', () => {
    expect(parseIsoDuration(undefined as unknown as string)).toBeNull();
  });
});

describe('addDuration', () => {
  it.each<[string, string, string]>([
    ['2026-01-01T00:00:00Z', 'PT36H', '2026-01-02T12:00:00.000Z'],
    ['2026-01-01T00:00:00Z', 'P1W', '2026-01-08T00:00:00.000Z'],
    ['2026-01-01T00:00:00Z', 'PT0.25S', '2026-01-01T00:00:00.250Z'],
    ['2026-01-31T10:00:00Z', 'P1M', '2026-02-28T10:00:00.000Z'],
    ['2024-01-31T10:00:00Z', 'P1M', '2024-02-29T10:00:00.000Z'],
    ['2024-02-29T00:00:00Z', 'P1Y', '2025-02-28T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', 'P4Y', '2028-02-29T00:00:00.000Z'],
    ['2026-12-15T00:00:00Z', 'P1M', '2027-01-15T00:00:00.000Z'],
    ['2026-01-31T00:00:00Z', 'P1M1D', '2026-03-01T00:00:00.000Z'],
    ['2026-03-28T12:00:00Z', 'P1D', '2026-03-29T12:00:00.000Z'],
    ['2026-01-01T00:00:00Z', 'P1Y2M10DT2H30M', '2027-03-11T02:30:00.000Z'],
    ['2026-01-01T00:00:00Z', 'PT0S', '2026-01-01T00:00:00.000Z'],
  ])('%s + %s = %s', (from, duration, expected) => {
    expect(addDuration(new Date(from), parseIsoDuration(duration)!).toISOString()).toBe(expected);
  });

  it('does not modify its argument', () => {
    const from = new Date('2026-01-31T00:00:00Z');
    addDuration(from, parseIsoDuration('P1M')!);
    expect(from.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });
});

describe('formatIsoDuration', () => {
  it.each(['PT15M', 'P1DT2H', 'P2W', 'P1Y2M3W4DT5H6M7.5S', 'PT0S'])('%s round-trips', (text) => {
    expect(formatIsoDuration(parseIsoDuration(text)!)).toBe(text);
  });
});
