import { daysInMonth } from './duration.js';

/**
 * Cron as Zeebe reads timer cycles: Spring's CronExpression, six fields
 * `second minute hour day-of-month month day-of-week`, evaluated in UTC. Supported: `*`, `?` (day
 * fields), values, ranges, lists, steps (`*‍/5`, `10-40/10`, `5/15`), JAN-DEC and MON-SUN names,
 * macros (@daily…), and Spring's Quartz extras: `L`, `L-n`, `LW`, `nW` in day-of-month, `dL` and
 * `d#n` in day-of-week. As in Spring, day-of-week counts 1=Monday … 7=Sunday (0 is Sunday too), and
 * when both day fields are restricted a day must match both (Unix cron would take either).
 * Five fields (no seconds) are accepted as a convenience and fire at second 0.
 */
export interface CronSchedule {
  readonly seconds: readonly boolean[];
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  /** Index 1-12. */
  readonly months: readonly boolean[];
  /** null = any day. */
  readonly daysOfMonth: readonly DayOfMonthRule[] | null;
  readonly daysOfWeek: readonly DayOfWeekRule[] | null;
}

type DayOfMonthRule =
  | { kind: 'days'; days: readonly boolean[] }
  | { kind: 'last'; offset: number }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number };

/** Weekdays are ISO: 1 = Monday … 7 = Sunday. */
type DayOfWeekRule =
  | { kind: 'days'; days: readonly boolean[] }
  | { kind: 'last'; weekday: number }
  | { kind: 'nth'; weekday: number; n: number };

const MACROS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/**
 * How far ahead a next time is searched. The rarest satisfiable cron (Feb 29 on a given weekday)
 * recurs up to 28 years apart; anything not found within 30 years never fires (Feb 30, `31 4 *`).
 */
export const CRON_HORIZON_YEARS = 30;

class CronError extends Error {}

export function parseCron(expression: string): { ok: true; cron: CronSchedule } | { ok: false; message: string } {
  try {
    const cron = parse(expression);
    // Deterministic (no clock): search from a fixed date; every satisfiable cron fires within the horizon.
    if (!nextCronTime(cron, new Date(Date.UTC(2001, 0, 1)))) {
      return { ok: false, message: `cron expression '${expression.trim()}' never matches a date` };
    }
    return { ok: true, cron };
  } catch (error) {
    const message = error instanceof CronError ? error.message : String(error);
    return { ok: false, message: `invalid cron expression '${String(expression).trim()}': ${message}` };
  }
}

/** True when the text parses as a cron expression that can ever fire. */
export function isValidCron(expr: string): boolean {
  return typeof expr === 'string' && parseCron(expr).ok;
}

function parse(expression: string): CronSchedule {
  if (typeof expression !== 'string') throw new CronError('not text');
  const trimmed = expression.trim();
  const resolved = MACROS[trimmed.toLowerCase()] ?? trimmed;
  let fields = resolved.split(/\s+/).filter((field) => field !== '');
  if (fields.length === 5) fields = ['0', ...fields];
  if (fields.length !== 6) {
    throw new CronError(`expected 6 fields (second minute hour day-of-month month day-of-week), found ${fields.length}`);
  }
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  return {
    seconds: parseBits(second, 0, 59, 'second'),
    minutes: parseBits(minute, 0, 59, 'minute'),
    hours: parseBits(hour, 0, 23, 'hour'),
    months: parseBits(replaceNames(month, MONTH_NAMES), 1, 12, 'month'),
    daysOfMonth: parseDaysOfMonth(dayOfMonth),
    daysOfWeek: parseDaysOfWeek(replaceNames(dayOfWeek, DAY_NAMES)),
  };
}

/** `JAN` → 1, `MON` → 1, case-insensitive, as Spring does (it replaces names anywhere in the field). */
function replaceNames(field: string, names: string[]): string {
  let out = field.toUpperCase();
  names.forEach((name, index) => {
    out = out.split(name).join(String(index + 1));
  });
  return out;
}

function parseBits(field: string, min: number, max: number, what: string, weekday = false): boolean[] {
  const bits = new Array<boolean>(max + 1).fill(false);
  for (const item of field.split(',')) {
    const [rangeText, stepText, extra] = item.split('/');
    if (extra !== undefined || rangeText === '') throw new CronError(`malformed ${what} field '${field}'`);
    let low: number;
    let high: number;
    if (rangeText === '*') {
      [low, high] = [min, max];
    } else if (rangeText.includes('-')) {
      const [from, to, more] = rangeText.split('-');
      if (more !== undefined) throw new CronError(`malformed ${what} range '${rangeText}'`);
      [low, high] = [value(from, min, max, what), value(to, min, max, what)];
      if (weekday && low === 7 && high < 7) low = 0; // Sunday as a range start means 0 (SUN-SAT)
      if (low > high) throw new CronError(`${what} range '${rangeText}' runs backwards`);
    } else {
      low = value(rangeText, min, max, what);
      high = stepText === undefined ? low : max; // `5/15`: from 5 to the end in steps of 15
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!/^\d+$/.test(stepText ?? '1') || step < 1) throw new CronError(`${what} step '${stepText}' must be a whole number of at least 1`);
    for (let v = low; v <= high; v += step) bits[v] = true;
  }
  return bits;
}

function value(text: string, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(text)) throw new CronError(`'${text}' is not a valid ${what}`);
  const n = Number(text);
  if (n < min || n > max) throw new CronError(`${what} ${n} is out of range ${min}-${max}`);
  return n;
}

function parseDaysOfMonth(field: string): DayOfMonthRule[] | null {
  const upper = field.toUpperCase();
  if (upper === '*' || upper === '?') return null;
  return upper.split(',').map((item): DayOfMonthRule => {
    if (item === 'L') return { kind: 'last', offset: 0 };
    if (item === 'LW') return { kind: 'lastWeekday' };
    const lastMinus = /^L-(\d+)$/.exec(item);
    if (lastMinus) return { kind: 'last', offset: value(lastMinus[1], 0, 30, 'day-of-month offset') };
    const nearest = /^(\d+)W$/.exec(item);
    if (nearest) return { kind: 'nearestWeekday', day: value(nearest[1], 1, 31, 'day-of-month') };
    if (/[LW]/.test(item)) throw new CronError(`malformed day-of-month '${item}'`);
    return { kind: 'days', days: parseBits(item, 1, 31, 'day-of-month') };
  });
}

function parseDaysOfWeek(field: string): DayOfWeekRule[] | null {
  if (field === '*' || field === '?') return null;
  return field.split(',').map((item): DayOfWeekRule => {
    const last = /^(\d)L$/.exec(item);
    if (last) return { kind: 'last', weekday: isoWeekday(value(last[1], 0, 7, 'day-of-week')) };
    const nth = /^(\d)#(\d)$/.exec(item);
    if (nth) return { kind: 'nth', weekday: isoWeekday(value(nth[1], 0, 7, 'day-of-week')), n: value(nth[2], 1, 5, 'day-of-week occurrence') };
    if (/[L#]/.test(item)) throw new CronError(`malformed day-of-week '${item}'`);
    // `*` is 1-7 as in Spring, so `*/2` is Mon, Wed, Fri, Sun.
    const bits = parseBits(item.replace(/^\*/, '1-7'), 0, 7, 'day-of-week', true);
    if (bits[0]) bits[7] = true;
    bits[0] = false;
    return { kind: 'days', days: bits };
  });
}

function isoWeekday(n: number): number {
  return n === 0 ? 7 : n;
}

/** The next matching whole second strictly after `after` (UTC), or null within the horizon. */
export function nextCronTime(cron: CronSchedule, after: Date, horizonYears = CRON_HORIZON_YEARS): Date | null {
  let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  if (!Number.isFinite(t)) return null;
  const limit = Date.UTC(new Date(t).getUTCFullYear() + horizonYears, 0, 1);
  // Each step jumps to the start of the next candidate month, day, hour, minute or second.
  while (t < limit) {
    const d = new Date(t);
    const [y, mo, day, h, mi, s] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
    if (!cron.months[mo + 1]) {
      t = Date.UTC(y, mo + 1, 1);
    } else if (!dayMatches(cron, y, mo, day)) {
      t = Date.UTC(y, mo, day + 1);
    } else if (!cron.hours[h]) {
      const next = nextSet(cron.hours, h);
      t = next < 0 ? Date.UTC(y, mo, day + 1) : Date.UTC(y, mo, day, next);
    } else if (!cron.minutes[mi]) {
      const next = nextSet(cron.minutes, mi);
      t = next < 0 ? Date.UTC(y, mo, day, h + 1) : Date.UTC(y, mo, day, h, next);
    } else if (!cron.seconds[s]) {
      const next = nextSet(cron.seconds, s);
      t = next < 0 ? Date.UTC(y, mo, day, h, mi + 1) : Date.UTC(y, mo, day, h, mi, next);
    } else {
      return d;
    }
  }
  return null;
}

/** Whether a whole second matches (the per-field rules nextCronTime jumps by). */
export function cronMatches(cron: CronSchedule, at: Date): boolean {
  return (
    at.getUTCMilliseconds() === 0 &&
    cron.months[at.getUTCMonth() + 1] &&
    dayMatches(cron, at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) &&
    cron.hours[at.getUTCHours()] &&
    cron.minutes[at.getUTCMinutes()] &&
    cron.seconds[at.getUTCSeconds()]
  );
}

function nextSet(bits: readonly boolean[], from: number): number {
  for (let i = from + 1; i < bits.length; i += 1) if (bits[i]) return i;
  return -1;
}

function dayMatches(cron: CronSchedule, year: number, month: number, day: number): boolean {
  const dim = daysInMonth(year, month);
  const weekday = isoWeekday(new Date(Date.UTC(year, month, day)).getUTCDay());
  const domOk = cron.daysOfMonth === null || cron.daysOfMonth.some((rule) => domRuleMatches(rule, year, month, day, dim));
  if (!domOk) return false;
  return cron.daysOfWeek === null || cron.daysOfWeek.some((rule) => dowRuleMatches(rule, weekday, day, dim));
}

function domRuleMatches(rule: DayOfMonthRule, year: number, month: number, day: number, dim: number): boolean {
  switch (rule.kind) {
    case 'days':
      return rule.days[day] === true;
    case 'last':
      return day === dim - rule.offset;
    case 'lastWeekday':
      return day === nearestWeekday(year, month, dim, dim);
    case 'nearestWeekday':
      return rule.day <= dim && day === nearestWeekday(year, month, rule.day, dim);
  }
}

/** Spring's `nW`: Saturday moves back to Friday and Sunday on to Monday, never across the month. */
function nearestWeekday(year: number, month: number, target: number, dim: number): number {
  const weekday = isoWeekday(new Date(Date.UTC(year, month, target)).getUTCDay());
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 7) return target === dim ? target - 2 : target + 1;
  return target;
}

function dowRuleMatches(rule: DayOfWeekRule, weekday: number, day: number, dim: number): boolean {
  switch (rule.kind) {
    case 'days':
      return rule.days[weekday] === true;
    case 'last':
      return weekday === rule.weekday && day + 7 > dim;
    case 'nth':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.n;
  }
}
