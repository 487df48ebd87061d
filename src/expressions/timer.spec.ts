import { nextDueTime, parseIsoDateTime, parseTimer, TimerDefinitionType, TimerSchedule } from './timer.js';

const zero = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

function schedule(type: TimerDefinitionType, text: string): TimerSchedule {
  const result = parseTimer(type, text);
  if (!result.ok) throw new Error(result.message);
  return result.schedule;
}

describe('parseIsoDateTime', () => {
  it.each<[string, string]>([
    ['2026-01-31T09:00:00Z', '2026-01-31T09:00:00.000Z'],
    ['2026-01-31T09:00:00z', '2026-01-31T09:00:00.000Z'],
    ['2026-01-31T09:00:00+02:00', '2026-01-31T07:00:00.000Z'],
    ['2026-01-31T09:00:00-0530', '2026-01-31T14:30:00.000Z'],
    ['2026-01-31T09:00:00+01', '2026-01-31T08:00:00.000Z'],
    ['2026-01-31T09:00:00.123456Z', '2026-01-31T09:00:00.123Z'],
    ['2026-01-31T09:00Z', '2026-01-31T09:00:00.000Z'],
    // no zone: UTC, never the server's local zone
    ['2026-01-31T09:00:00', '2026-01-31T09:00:00.000Z'],
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    // region zones, with their daylight-saving rules for that date
    ['2026-01-15T12:00:00[Europe/Berlin]', '2026-01-15T11:00:00.000Z'],
    ['2026-07-01T12:00:00[Europe/Berlin]', '2026-07-01T10:00:00.000Z'],
    ['2026-07-01T12:00:00[America/New_York]', '2026-07-01T16:00:00.000Z'],
    ['2026-07-01T12:00:00+02:00[Europe/Berlin]', '2026-07-01T10:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    'tomorrow',
    '2026-02-30T00:00:00Z',
    '2025-02-29',
    '2026-13-01',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:60:00Z',
    '2026-01-01T00:00:00+19:00',
    '2026-01-01T00:00:00[Mars/Olympus]',
    '26-01-01',
    '2026-01-01T00:00:00Z trailing',
  ])('refuses %j', (text) => {
    expect(parseIsoDateTime(text)).toBeNull();
  });
});

describe('parseTimer', () => {
  it.each<[TimerDefinitionType, string, TimerSchedule]>([
    ['timeDate', '2026-01-31T09:00:00+01:00', { kind: 'date', at: '2026-01-31T08:00:00.000Z' }],
    ['timeDate', ' 2026-01-31 ', { kind: 'date', at: '2026-01-31T00:00:00.000Z' }],
    ['timeDuration', 'PT15M', { kind: 'duration', duration: { ...zero, minutes: 15 } }],
    ['timeDuration', 'P1DT12H', { kind: 'duration', duration: { ...zero, days: 1, hours: 12 } }],
    ['timeCycle', 'R3/PT1H', { kind: 'cycle', repetitions: 3, interval: { ...zero, hours: 1 } }],
    ['timeCycle', 'R/PT10M', { kind: 'cycle', repetitions: null, interval: { ...zero, minutes: 10 } }],
    ['timeCycle', 'r2/P1D', { kind: 'cycle', repetitions: 2, interval: { ...zero, days: 1 } }],
    [
      'timeCycle',
      'R5/2026-01-01T00:00:00Z/P1D',
      { kind: 'cycle', repetitions: 5, interval: { ...zero, days: 1 }, start: '2026-01-01T00:00:00.000Z' },
    ],
    [
      'timeCycle',
      'R2/2026-01-01T00:00:00Z/2026-01-01T06:00:00Z',
      { kind: 'cycle', repetitions: 2, interval: { ...zero, seconds: 21600 }, start: '2026-01-01T00:00:00.000Z' },
    ],
    ['timeCycle', '0 0 9 * * MON-FRI', { kind: 'cron', expression: '0 0 9 * * MON-FRI' }],
    ['timeCycle', '  @daily ', { kind: 'cron', expression: '@daily' }],
  ])('%s %j', (type, text, expected) => {
    expect(parseTimer(type, text)).toEqual({ ok: true, schedule: expected });
  });

  it.each<[TimerDefinitionType, string, RegExp]>([
    ['timeDate', '', /timeDate is empty/],
    ['timeDate', 'next monday', /not an ISO-8601 date-time/],
    ['timeDate', 'PT1H', /not an ISO-8601 date-time/],
    ['timeDuration', '15 minutes', /not an ISO-8601 duration/],
    ['timeDuration', '2026-01-01T00:00:00Z', /not an ISO-8601 duration/],
    ['timeCycle', 'R0/PT1H', /repetitions must be at least 1/],
    ['timeCycle', 'R/PT0S', /at least 1 second/],
    ['timeCycle', 'R/PT0.5S', /at least 1 second/],
    ['timeCycle', 'R2/2026-01-02T00:00:00Z/2026-01-01T00:00:00Z', /at least 1 second/],
    ['timeCycle', 'R3/PT1H/2026-01-01T00:00:00Z', /duration\/end is not supported/],
    ['timeCycle', 'R3/soon', /'soon' is not an ISO-8601 duration/],
    ['timeCycle', 'R3/yesterday/PT1H', /'yesterday' is not an ISO-8601 date-time/],
    ['timeCycle', 'R3/a/b/c', /not a repeating interval/],
    ['timeCycle', 'PT1H', /neither a repeating interval .* nor a cron expression/],
    ['timeCycle', '0 0 0 30 2 *', /never matches a date/],
    ['timeCycle', '61 * * * * *', /second 61 is out of range/],
    ['timeCycle' as TimerDefinitionType, '   ', /timeCycle is empty/],
    ['timeSoon' as TimerDefinitionType, 'PT1H', /unknown timer definition type/],
  ])('%s %j is refused', (type, text, message) => {
    const result = parseTimer(type, text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('nextDueTime', () => {
  const created = new Date('2026-01-01T10:00:00Z');
  const at = (iso: string) => new Date(iso);

  it.each<[string, TimerDefinitionType, string, string, number, string | null]>([
    // one-shot timers: due once, even when already past (fire at once rather than never)
    ['date in the future', 'timeDate', '2026-02-01T00:00:00Z', '2026-01-01T10:00:00Z', 0, '2026-02-01T00:00:00.000Z'],
    ['date already past', 'timeDate', '2025-06-01T00:00:00Z', '2026-01-01T10:00:00Z', 0, '2025-06-01T00:00:00.000Z'],
    ['date after firing', 'timeDate', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', 1, null],
    ['duration from creation', 'timeDuration', 'PT15M', '2026-01-01T10:00:00Z', 0, '2026-01-01T10:15:00.000Z'],
    ['duration after firing', 'timeDuration', 'PT15M', '2026-01-01T10:15:00Z', 1, null],
    // cycles without start: createdAt + k·interval, k ≥ 1
    ['first repetition', 'timeCycle', 'R3/PT1H', '2026-01-01T10:00:00Z', 0, '2026-01-01T11:00:00.000Z'],
    ['second repetition', 'timeCycle', 'R3/PT1H', '2026-01-01T11:00:00Z', 1, '2026-01-01T12:00:00.000Z'],
    ['third repetition', 'timeCycle', 'R3/PT1H', '2026-01-01T12:00:00Z', 2, '2026-01-01T13:00:00.000Z'],
    ['exhausted', 'timeCycle', 'R3/PT1H', '2026-01-01T13:00:00Z', 3, null],
    ['missed repetitions are skipped', 'timeCycle', 'R3/PT1H', '2026-01-01T15:30:00Z', 1, '2026-01-01T16:00:00.000Z'],
    ['unbounded', 'timeCycle', 'R/PT10M', '2026-01-01T10:05:00Z', 1000, '2026-01-01T10:10:00.000Z'],
    ['unbounded, years later', 'timeCycle', 'R/PT1S', '2031-06-01T00:00:00.500Z', 0, '2031-06-01T00:00:01.000Z'],
    // cycles with a start: start + k·interval, k ≥ 0
    ['start still ahead', 'timeCycle', 'R/2026-03-01T00:00:00Z/P1D', '2026-01-01T10:00:00Z', 0, '2026-03-01T00:00:00.000Z'],
    ['after the start', 'timeCycle', 'R/2026-03-01T00:00:00Z/P1D', '2026-03-01T00:00:00Z', 1, '2026-03-02T00:00:00.000Z'],
    ['long after the start', 'timeCycle', 'R/2026-03-01T00:00:00Z/P1D', '2026-05-10T05:00:00Z', 2, '2026-05-11T00:00:00.000Z'],
    ['limited with start', 'timeCycle', 'R2/2026-03-01T00:00:00Z/P1D', '2026-03-02T00:00:00Z', 2, null],
    // monthly steps stay on the start's day where the month has it
    ['monthly from Jan 31', 'timeCycle', 'R/2026-01-31T00:00:00Z/P1M', '2026-01-31T00:00:00Z', 1, '2026-02-28T00:00:00.000Z'],
    ['monthly after Feb', 'timeCycle', 'R/2026-01-31T00:00:00Z/P1M', '2026-02-28T00:00:00Z', 2, '2026-03-31T00:00:00.000Z'],
    ['monthly, years later', 'timeCycle', 'R/2026-01-31T00:00:00Z/P1M', '2036-06-15T00:00:00Z', 3, '2036-06-30T00:00:00.000Z'],
    ['leap-year Feb', 'timeCycle', 'R/2026-01-31T00:00:00Z/P1M', '2028-02-01T00:00:00Z', 3, '2028-02-29T00:00:00.000Z'],
    // cron: the next matching second, no limit on firings
    ['cron', 'timeCycle', '0 0 9 * * MON-FRI', '2026-01-02T09:00:00Z', 50, '2026-01-05T09:00:00.000Z'],
  ])('%s: %s %s after %s (fired %i) → %s', (_name, type, text, after, fired, expected) => {
    expect(nextDueTime(schedule(type, text), at(after), fired, created)?.toISOString() ?? null).toBe(expected);
  });

  it('returns null for a cron that can never fire instead of looping', () => {
    const started = performance.now();
    expect(nextDueTime({ kind: 'cron', expression: '0 0 0 30 2 *' }, created, 0, created)).toBeNull();
    expect(nextDueTime({ kind: 'cron', expression: 'not cron' }, created, 0, created)).toBeNull();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('returns null for nonsense instants instead of throwing', () => {
    expect(nextDueTime({ kind: 'date', at: 'garbage' }, created, 0, created)).toBeNull();
    expect(nextDueTime(schedule('timeCycle', 'R/PT1H'), new Date(NaN), 0, created)).toBeNull();
  });
});
