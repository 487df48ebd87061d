/**
 * ISO-8601 durations as BPMN timers and task headers use them (`PT15M`, `P1DT2H`, `P2W`).
 * All arithmetic is in UTC, where a day is always 24 hours.
 */
export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

// Fractions only on seconds, as java.time.Duration allows; `P`/`T` must each be followed by a part.
const DURATION = /^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const DAY_MS = 86_400_000;
/** Mean Gregorian month/year, only for estimates (never for the result of addDuration). */
const MONTH_MS = 30.436875 * DAY_MS;
const YEAR_MS = 365.2425 * DAY_MS;
/** Longer is a typo, not a plan, and would overflow Date arithmetic. */
const MAX_DURATION_MS = 1000 * YEAR_MS;

/** Parses `PnYnMnWnDTnHnMnS` (case-insensitive, surrounding whitespace ignored); null when invalid. */
export function parseIsoDuration(text: string): IsoDuration | null {
  if (typeof text !== 'string') return null;
  const match = DURATION.exec(text.trim().toUpperCase());
  if (!match) return null;
  const [years, months, weeks, days, hours, minutes] = match.slice(1, 7).map((part) => (part === undefined ? 0 : Number(part)));
  const seconds = match[7] === undefined ? 0 : Number(match[7].replace(',', '.'));
  const duration: IsoDuration = { years, months, weeks, days, hours, minutes, seconds };
  return approximateMs(duration) <= MAX_DURATION_MS ? duration : null;
}

/**
 * Calendar addition as java.time does it: years and months first, clamping to the month's last
 * day (Jan 31 + P1M = Feb 28/29), then weeks, days and the time part as exact amounts.
 */
export function addDuration(from: Date, d: IsoDuration): Date {
  const date = new Date(from.getTime());
  const months = d.years * 12 + d.months;
  if (months !== 0) {
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + months);
    date.setUTCDate(Math.min(day, daysInMonth(date.getUTCFullYear(), date.getUTCMonth())));
  }
  const ms = (d.weeks * 7 + d.days) * DAY_MS + d.hours * 3_600_000 + d.minutes * 60_000 + Math.round(d.seconds * 1000);
  return new Date(date.getTime() + ms);
}

/** `k` times a duration, part by part, so monthly steps stay on the same day of month. */
export function scaleDuration(d: IsoDuration, k: number): IsoDuration {
  return {
    years: d.years * k,
    months: d.months * k,
    weeks: d.weeks * k,
    days: d.days * k,
    hours: d.hours * k,
    minutes: d.minutes * k,
    seconds: d.seconds * k,
  };
}

/** Length in milliseconds with mean month/year lengths: for estimates and sanity limits only. */
export function approximateMs(d: IsoDuration): number {
  return (
    d.years * YEAR_MS +
    d.months * MONTH_MS +
    (d.weeks * 7 + d.days) * DAY_MS +
    d.hours * 3_600_000 +
    d.minutes * 60_000 +
    d.seconds * 1000
  );
}

/** Canonical text, e.g. for messages: `P1DT2H`, `PT0S` for nothing. */
export function formatIsoDuration(d: IsoDuration): string {
  const date = `${d.years ? `${d.years}Y` : ''}${d.months ? `${d.months}M` : ''}${d.weeks ? `${d.weeks}W` : ''}${d.days ? `${d.days}D` : ''}`;
  const time = `${d.hours ? `${d.hours}H` : ''}${d.minutes ? `${d.minutes}M` : ''}${d.seconds ? `${d.seconds}S` : ''}`;
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

export function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}
