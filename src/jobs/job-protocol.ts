// The worker protocol of API.md as data: what a BullMQ job carries, how a worker's outcome becomes
// an engine command. Pure functions, no I/O, so every convention is unit-tested in isolation.
import type { Command, Variables } from '../engine/types.js';
import { approximateMs, parseIsoDuration } from '../expressions/duration.js';
import { describeType, isPlainObject } from '../expressions/plain-data.js';

/**
 * The engine-side queue of result parents. Every dispatched job is a BullMQ flow: a parent here
 * (job id = job key) with the worker's job as its only child, so BullMQ itself records the child's
 * return value or final failure on the parent, atomically with the child finishing, and wakes the
 * parent for an engine replica to apply, however long after.
 */
export const RESULTS_QUEUE = 'flowdesk-results';

/** Header that sets the base delay of the exponential retry backoff (ISO-8601 duration). */
export const RETRY_BACKOFF_HEADER = 'retryBackoff';
export const DEFAULT_BACKOFF_MS = 1000;
const MIN_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 3_600_000;
const MAX_MESSAGE = 2000;

/** `job.data` of every job a worker receives (API.md, Worker protocol). */
export interface FlowdeskJobData {
  readonly processInstanceId: string;
  readonly elementId: string;
  readonly jobKey: string;
  readonly businessKey: string | null;
  readonly definitionKey: string;
  readonly variables: Variables;
  readonly headers: Record<string, string>;
}

/** `job.data` of a result parent in RESULTS_QUEUE. */
export interface ResultParentData {
  readonly jobKey: string;
  readonly processInstanceId: string;
  /** Root of the call hierarchy (the row the command locks); the instance itself for most jobs. */
  readonly rootInstanceId?: string;
  readonly jobType: string;
}

/** How a worker's job ended, as BullMQ recorded it. */
export type JobOutcome = { readonly kind: 'returned'; readonly value: unknown } | { readonly kind: 'failed'; readonly reason: string };

/**
 * The engine command for a job's outcome:
 * - an object → completeJob with those variables (output mappings decide what reaches the process);
 * - null / undefined → completeJob merging nothing;
 * - `{ $bpmnError: { code, message?, variables? } }` → throwError (a business error, caught by the model);
 * - a final failure (thrown on the last attempt) → failJob (incident `job-failed`);
 * - anything else breaks the protocol and is reported like a failure, so the incident names it.
 */
export function commandFor(jobKey: string, outcome: JobOutcome): Extract<Command, { type: 'completeJob' | 'throwError' | 'failJob' }> {
  if (outcome.kind === 'failed') return { type: 'failJob', jobKey, message: clip(outcome.reason || 'the job failed without a reason') };
  const value = outcome.value;
  if (value === null || value === undefined) return { type: 'completeJob', jobKey, variables: null };
  if (!isPlainObject(value)) {
    return { type: 'failJob', jobKey, message: `the worker returned a ${describeType(value)}; expected an object of variables, null, or { "$bpmnError": { "code": … } }` };
  }
  if (!('$bpmnError' in value)) return { type: 'completeJob', jobKey, variables: value };
  const error = value.$bpmnError;
  if (!isPlainObject(error) || typeof error.code !== 'string' || error.code.trim() === '') {
    return { type: 'failJob', jobKey, message: 'the worker returned a $bpmnError without a "code" string' };
  }
  if (error.variables !== undefined && error.variables !== null && !isPlainObject(error.variables)) {
    return { type: 'failJob', jobKey, message: `the worker's $bpmnError "${clip(error.code, 200)}" has variables that are a ${describeType(error.variables)}, not an object` };
  }
  return {
    type: 'throwError',
    jobKey,
    code: error.code,
    ...(typeof error.message === 'string' && error.message !== '' ? { message: clip(error.message) } : {}),
    ...(isPlainObject(error.variables) ? { variables: error.variables } : {}),
  };
}

/** Base delay of the exponential backoff: the `retryBackoff` header (ISO-8601, e.g. `PT5S`), else 1 s. */
export function backoffDelayMs(headers: Readonly<Record<string, string>>): number {
  const text = headers[RETRY_BACKOFF_HEADER];
  if (text === undefined) return DEFAULT_BACKOFF_MS;
  const duration = parseIsoDuration(text);
  if (!duration) return DEFAULT_BACKOFF_MS;
  return Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, Math.round(approximateMs(duration))));
}

/** Flowdesk's own queues on the same prefix (results; mail: src/notifications/mail-queue.ts): no job type may name them. */
const RESERVED_QUEUES: readonly string[] = [RESULTS_QUEUE, 'flowdesk-mail'];

/** Why a job type cannot name a BullMQ queue, or null when it can (checked at deploy for literal types, at dispatch for the rest). */
export function queueNameProblem(jobType: string): string | null {
  if (jobType.trim() === '') return 'the job type is empty';
  if (jobType.includes(':')) return `job type '${clip(jobType, 200)}' cannot name a BullMQ queue (':' separates BullMQ's key parts)`;
  if (RESERVED_QUEUES.includes(jobType)) return `job type '${jobType}' is reserved for one of Flowdesk's own queues`;
  return null;
}

function clip(text: string, max = MAX_MESSAGE): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
