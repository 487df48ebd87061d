import { isValidCron, nextCronTime, parseCron } from './cron.js';
import { addDuration, approximateMs, IsoDuration, parseIsoDuration, scaleDuration } from './duration.js';

/**
 * BPMN timer definitions as literal text (expression-valued timers are evaluated by the caller
 * first). Everything is computed in UTC from instants the caller passes in: no clock here.
 */
export type { IsoDuration } from './duration.js';
export { addDuration, formatIsoDuration, parseIsoDuration } from './duration.js';
export { isValidCron } from './cron.js';

export type TimerDefinitionType = 'timeDate' | 'timeDuration' | 'timeCycle';

export type TimerSchedule =
  | { kind: 'date'; at: string }
  | { kind: 'duration'; duration: IsoDuration }
  | { kind: 'cycle'; repetitions: number | null; interval: IsoDuration; start?: string }
  | { kind: 'cron'; expression: string };

export type TimerParseResult = { ok: true; schedule: TimerSchedule } | { ok: false; message: string };

/**
 * A cycle shorter than this would keep the timer poller busy with one timer; BPMN timers are for
 * business time, so it is treated as a modelling mistake.
 */
export const MIN_CYCLE_INTERVAL_MS = 1000;

const NO_TIME: IsoDuration = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

export function parseTimer(type: TimerDefinitionType, text: string): TimerParseResult {
  const value = typeof text === 'string' ? text.trim() : '';
  if (value === '') return { ok: false, message: `${type} is empty` };
  switch (type) {
    case 'timeDate': {
      const at = parseIsoDateTime(value);
      return at
        ? { ok: true, schedule: { kind: 'date', at: at.toISOString() } }
        : { ok: false, message: `timeDate '${value}' is not an ISO-8601 date-time (e.g. 2026-01-31T09:00:00Z)` };
    }
    case 'timeDuration': {
      const duration = parseIsoDuration(value);
      return duration
        ? { ok: true, schedule: { kind: 'duration', duration } }
        : { ok: false, message: `timeDuration '${value}' is not an ISO-8601 duration (e.g. PT15M, P1DT12H)` };
    }
    case 'timeCycle':
      return /^R\d*\//i.test(value) ? parseRepeatingInterval(value) : parseCronCycle(value);
    default:
      return { ok: false, message: `unknown timer definition type '${String(type)}'` };
  }
}

function parseCronCycle(value: string): TimerParseResult {
  if (isValidCron(value)) return { ok: true, schedule: { kind: 'cron', expression: value } };
  const cron = parseCron(value);
  const reason = cron.ok ? '' : `: ${cron.message}`;
  return { ok: false, message: `timeCycle '${value}' is neither a repeating interval (R3/PT1H, R/P1D) nor a cron expression${reason}` };
}

/** `R[n]/duration`, `R[n]/start/duration`, `R[n]/start/end`. */
function parseRepeatingInterval(value: string): TimerParseResult {
  const parts = value.split('/');
  const count = parts[0].slice(1);
  const repetitions = count === '' ? null : Number(count);
  if (repetitions !== null && (!Number.isSafeInteger(repetitions) || repetitions < 1)) {
    return { ok: false, message: `timeCycle '${value}': repetitions must be at least 1 (or omitted for unbounded)` };
  }
  let interval: IsoDuration | null = null;
  let start: Date | null = null;
  if (parts.length === 2) {
    interval = parseIsoDuration(parts[1]);
  } else if (parts.length === 3) {
    const [first, second] = [parts[1], parts[2]];
    if (parseIsoDuration(first) && parseIsoDateTime(second)) {
      // ISO allows it, but it counts backwards from the end; Camunda users write start/duration.
      return { ok: false, message: `timeCycle '${value}': R[n]/duration/end is not supported, write R[n]/start/duration` };
    }
    start = parseIsoDateTime(first);
    const end = parseIsoDateTime(second);
    interval = start && end ? { ...NO_TIME, seconds: (end.getTime() - start.getTime()) / 1000 } : parseIsoDuration(second);
    if (!start) return { ok: false, message: `timeCycle '${value}': '${first}' is not an ISO-8601 date-time` };
  } else {
    return { ok: false, message: `timeCycle '${value}' is not a repeating interval like R3/PT1H or R/2026-01-01T00:00:00Z/P1D` };
  }
  if (!interval) return { ok: false, message: `timeCycle '${value}': '${parts[parts.length - 1]}' is not an ISO-8601 duration` };
  if (approximateMs(interval) < MIN_CYCLE_INTERVAL_MS) {
    return { ok: false, message: `timeCycle '${value}': the interval must be at least 1 second` };
  }
  const schedule: TimerSchedule = { kind: 'cycle', repetitions, interval, ...(start ? { start: start.toISOString() } : {}) };
  return { ok: true, schedule };
}

/**
 * When the timer is next due. `firedCount` is how many times it has fired, `createdAt` when it
 * was scheduled (the base of durations and of cycles without a start).
 *
 * One-shot timers (date, duration) return their due time while `firedCount` is 0 even if it is
 * not after `after`: a date already past must fire at once (as Camunda 7 and Zeebe do), not never.
 * Cycles return the next repetition on their grid (start + k·interval, or createdAt + k·interval
 * with k ≥ 1) strictly after `after`, skipping repetitions missed while nothing ran; cron returns
 * the next matching second. null when the schedule is exhausted or has no further time.
 */
export function nextDueTime(schedule: TimerSchedule, after: Date, firedCount: number, createdAt: Date): Date | null {
  switch (schedule.kind) {
    case 'date':
      return firedCount > 0 ? null : validDate(new Date(schedule.at));
    case 'duration':
      return firedCount > 0 ? null : validDate(addDuration(createdAt, schedule.duration));
    case 'cycle':
      if (schedule.repetitions !== null && firedCount >= schedule.repetitions) return null;
      return nextRepetition(schedule.interval, schedule.start ? new Date(schedule.start) : createdAt, schedule.start ? 0 : 1, after);
    case 'cron': {
      const cron = parseCron(schedule.expression);
      return cron.ok ? nextCronTime(cron.cron, after) : null;
    }
  }
}

function nextRepetition(interval: IsoDuration, base: Date, firstIndex: number, after: Date): Date | null {
  const step = approximateMs(interval);
  if (!(step > 0) || !Number.isFinite(base.getTime()) || !Number.isFinite(after.getTime())) return null;
  const at = (k: number) => addDuration(base, scaleDuration(interval, k)).getTime();
  // Estimate k from mean month lengths, then correct by exact calendar steps (a few at most).
  let k = Math.max(firstIndex, Math.floor((after.getTime() - base.getTime()) / step));
  for (let guard = 0; k > firstIndex && at(k - 1) > after.getTime() && guard < 1000; guard += 1) k -= 1;
  for (let guard = 0; at(k) <= after.getTime(); guard += 1) {
    if (guard >= 1000) return null;
    k += 1;
  }
  return validDate(new Date(at(k)));
}

function validDate(date: Date): Date | null {
  return Number.isFinite(date.getTime()) ? date : null;
}

// Date, optional time, optional offset, optional [Region/City].
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([A-Za-z0-9_+\-/]+)\])?$/i;

/**
 * ISO-8601 date-time → instant. Time zone rule: an explicit `Z` or offset wins; else a bracketed
 * region (`2026-03-29T02:30:00[Europe/Berlin]`, as Zeebe accepts) is applied with its rules for
 * that date; with neither, the text is read as UTC. Not the server's local zone: replicas in
 * different zones must agree on when a timer is due. A date alone means midnight.
 */
export function parseIsoDateTime(text: string): Date | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) => (part === undefined ? 0 : Number(part)));
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  let offsetMs: number | null = 0;
  if (m[8] !== undefined) {
    offsetMs = parseOffset(m[8]);
  } else if (m[9] !== undefined) {
    offsetMs = regionOffset(m[9], local);
  }
  if (offsetMs === null) return null;
  return validDate(new Date(local - offsetMs));
}

function parseOffset(text: string): number | null {
  if (text.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 18 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** Offset of a region at a local wall time (two passes so DST changes land on the right side). */
function regionOffset(zone: string, localMs: number): number | null {
  const first = offsetAt(zone, localMs);
  if (first === null) return null;
  return offsetAt(zone, localMs - first);
}

function offsetAt(zone: string, utcMs: number): number | null {
  let format = formatters.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      format = null; // unknown zone
    }
    if (formatters.size < 1000) formatters.set(zone, format);
  }
  if (!format) return null;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(utcMs))) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(utcMs / 1000) * 1000;
}
