import { CronSchedule, cronMatches, isValidCron, nextCronTime, parseCron } from './cron.js';

function cron(expression: string): CronSchedule {
  const result = parseCron(expression);
  if (!result.ok) throw new Error(result.message);
  return result.cron;
}

function next(expression: string, after: string): string | undefined {
  return nextCronTime(cron(expression), new Date(after))?.toISOString();
}

describe('cron next time (UTC)', () => {
  // 2026-01-01 is a Thursday; 2024 and 2028 are leap years.
  it.each<[string, string, string]>([
    ['0 0 9 * * MON-FRI', '2026-01-03T10:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['0 0 9 * * MON-FRI', '2026-01-05T09:00:00Z', '2026-01-06T09:00:00.000Z'],
    ['0 0 9 * * mon-fri', '2026-01-05T08:59:59.500Z', '2026-01-05T09:00:00.000Z'],
    ['*/10 * * * * *', '2026-01-01T00:00:05Z', '2026-01-01T00:00:10.000Z'],
    ['*/10 * * * * *', '2026-01-01T00:00:10Z', '2026-01-01T00:00:20.000Z'],
    ['* * * * * *', '2026-01-01T00:00:00.999Z', '2026-01-01T00:00:01.000Z'],
    ['0 0 * * * *', '2026-01-01T23:30:00Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 8-10 * * *', '2026-01-01T10:00:00Z', '2026-01-02T08:00:00.000Z'],
    ['0 0/30 8-10 * * *', '2026-01-01T09:10:00Z', '2026-01-01T09:30:00.000Z'],
    ['0 0/30 8-10 * * *', '2026-01-01T10:30:00Z', '2026-01-02T08:00:00.000Z'],
    ['0 5/20 * * * *', '2026-01-01T00:45:00Z', '2026-01-01T01:05:00.000Z'],
    ['0 0 6,19 * * *', '2026-01-01T07:00:00Z', '2026-01-01T19:00:00.000Z'],
    // month ends, year ends, leap years
    ['0 0 0 1 1 *', '2026-12-31T12:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 0 31 * *', '2026-01-31T00:00:00Z', '2026-03-31T00:00:00.000Z'],
    ['0 0 0 29 2 *', '2025-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 0 29 2 *', '2024-02-28T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0 0 0 29 2 MON', '2017-01-01T00:00:00Z', '2044-02-29T00:00:00.000Z'],
    ['0 0 0 25 12 ?', '2026-06-01T00:00:00Z', '2026-12-25T00:00:00.000Z'],
    ['0 0 0 1 JAN,jul *', '2026-02-01T00:00:00Z', '2026-07-01T00:00:00.000Z'],
    ['0 0 0 1 MAR-MAY/2 *', '2026-03-02T00:00:00Z', '2026-05-01T00:00:00.000Z'],
    // day-of-week names and numbers (Spring: 1 = Monday, 0 and 7 = Sunday)
    ['0 0 0 ? * SUN', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['0 0 0 ? * 0', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['0 0 0 ? * 7', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['0 0 0 ? * 1', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00.000Z'],
    ['0 0 0 * * SUN-SAT', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 0 * * SAT,SUN', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00.000Z'],
    ['0 0 0 * * */2', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 0 * * */2', '2026-01-02T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    // both day fields restricted: both must match (Friday the 13th)
    ['0 0 0 13 * FRI', '2026-01-01T00:00:00Z', '2026-02-13T00:00:00.000Z'],
    // Quartz extras
    ['0 30 23 L * *', '2026-02-10T00:00:00Z', '2026-02-28T23:30:00.000Z'],
    ['0 30 23 L * *', '2024-02-10T00:00:00Z', '2024-02-29T23:30:00.000Z'],
    ['0 0 0 L-3 * *', '2026-02-01T00:00:00Z', '2026-02-25T00:00:00.000Z'],
    ['0 0 0 LW * *', '2026-05-01T00:00:00Z', '2026-05-29T00:00:00.000Z'],
    ['0 0 0 LW * *', '2026-02-01T00:00:00Z', '2026-02-27T00:00:00.000Z'],
    ['0 0 0 1W * *', '2026-07-15T00:00:00Z', '2026-08-03T00:00:00.000Z'],
    ['0 0 0 1W * *', '2026-10-15T00:00:00Z', '2026-11-02T00:00:00.000Z'],
    ['0 0 0 15W * *', '2026-08-01T00:00:00Z', '2026-08-14T00:00:00.000Z'],
    ['0 0 0 * * 5L', '2026-01-01T00:00:00Z', '2026-01-30T00:00:00.000Z'],
    ['0 0 0 * * THUL', '2026-01-01T00:00:00Z', '2026-01-29T00:00:00.000Z'],
    ['0 0 12 ? * 5#2', '2026-01-01T00:00:00Z', '2026-01-09T12:00:00.000Z'],
    ['0 0 0 ? * MON#1', '2026-01-06T00:00:00Z', '2026-02-02T00:00:00.000Z'],
    ['0 0 0 L,15 * *', '2026-01-16T00:00:00Z', '2026-01-31T00:00:00.000Z'],
    // macros and five fields
    ['@monthly', '2026-01-15T00:00:00Z', '2026-02-01T00:00:00.000Z'],
    ['@weekly', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['@hourly', '2026-01-01T00:00:01Z', '2026-01-01T01:00:00.000Z'],
    ['30 4 1,15 * *', '2026-01-01T05:00:00Z', '2026-01-15T04:30:00.000Z'],
  ])('%s after %s → %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it.each(['0 0 9 * * MON-FRI', '0 */13 * * * *', '0 15 10 L-2 * *', '0 0 0 ? * 6#3', '0 0 */5 1W,15 FEB-APR *'])(
    '%s: the result matches and no earlier minute does',
    (expression) => {
      const schedule = cron(expression);
      let after = new Date('2026-01-28T22:10:00Z');
      for (let i = 0; i < 3; i += 1) {
        const found = nextCronTime(schedule, after)!;
        expect(cronMatches(schedule, found)).toBe(true);
        // Every second-0 in the gap (the schedules here all fire at second 0 only).
        let earlier: Date | undefined;
        for (let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000; t < found.getTime() && !earlier; t += 60_000) {
          if (cronMatches(schedule, new Date(t))) earlier = new Date(t);
        }
        expect(earlier).toBeUndefined();
        after = found;
      }
    },
  );
});

describe('cron parsing', () => {
  it.each(['0 0 9 * * MON-FRI', '*/5 * * * * *', '0 0 0 ? * 5#2', '@daily', '0 12 * * 1-5', '0 0 0 29 2 ?'])('accepts %s', (expression) => {
    expect(isValidCron(expression)).toBe(true);
  });

  it.each<[string, RegExp]>([
    ['', /found 0/],
    ['* * * *', /found 4/],
    ['0 0 0 1 1 * 2026', /found 7/],
    ['60 * * * * *', /second 60 is out of range 0-59/],
    ['* * 24 * * *', /hour 24 is out of range/],
    ['* * * 0 * *', /day-of-month 0 is out of range/],
    ['* * * * 13 *', /month 13 is out of range/],
    ['* * * * * 8', /day-of-week 8 is out of range/],
    ['*/0 * * * * *', /step '0'/],
    ['5-1 * * * * *', /runs backwards/],
    ['1,,2 * * * * *', /malformed/],
    ['? * * * * *', /not a valid second/],
    ['0 0 0 ? * MON#6', /occurrence 6 is out of range/],
    ['0 0 0 L-31 * *', /offset 31 is out of range/],
    ['0 0 0 5L * *', /malformed day-of-month/],
    ['0 0 0 * * FRI#', /malformed day-of-week/],
    ['every day', /found 2/],
    ['0 0 0 30 2 *', /never matches a date/],
    ['0 0 0 31 4,6,9,11 *', /never matches a date/],
  ])('refuses %j', (expression, message) => {
    const result = parseCron(expression);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
    expect(isValidCron(expression)).toBe(false);
  });

  it('gives up on an impossible cron quickly instead of looping', () => {
    const started = performance.now();
    expect(isValidCron('0 0 0 31 2 *')).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('returns null when nothing matches within the horizon', () => {
    expect(nextCronTime(cron('0 0 0 29 2 MON'), new Date('2017-01-01T00:00:00Z'), 5)).toBeNull();
  });
});
