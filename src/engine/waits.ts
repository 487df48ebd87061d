// Opening wait states: jobs, timers and subscriptions. Each has a `prepare` part that evaluates
// (and may throw StepFailure) and an `open` part that registers the key and emits the effect, so a
// step can evaluate everything before it changes anything.

import type { EventDefinition, JobSpec } from '../bpmn/process-model.js';
import { nextDueTime, parseTimer } from '../expressions/index.js';
import { evaluateInteger, evaluateOptionalText, evaluateText, isExpression, StepFailure } from './evaluate.js';
import type { Run } from './run.js';
import { visibleVariables } from './scope.js';
import type { ElementInstance, TimerState, TriggerRole } from './types.js';

export type PendingTrigger =
  | { readonly kind: 'timer'; readonly elementId: string; readonly role: TriggerRole; readonly timer: TimerState }
  | {
      readonly kind: 'message' | 'signal';
      readonly elementId: string;
      readonly role: TriggerRole;
      readonly name: string;
      readonly correlationKey?: string;
      readonly interrupting: boolean;
    };

/** Evaluates a timer definition in the scope of `at` (null = root) and computes its first due time. */
export function prepareTimer(run: Run, at: ElementInstance | null, definition: Extract<EventDefinition, { type: 'timer' }>, elementId: string): TimerState {
  const what = `timer of '${elementId}'`;
  const text = isExpression(definition.text) ? evaluateText(definition.text, run.lookup(at), what) : definition.text.trim();
  const parsed = parseTimer(definition.timerType, text);
  if (!parsed.ok) throw new StepFailure(`${what}: ${parsed.message}`);
  const due = nextDueTime(parsed.schedule, run.now, 0, run.now);
  if (!due) throw new StepFailure(`${what}: '${text}' has no due time`);
  return { timerType: definition.timerType, text, schedule: parsed.schedule, dueAt: due.toISOString(), firedCount: 0, createdAt: run.nowIso };
}

/** The next occurrence of a cycle after it fired, or null when exhausted (or not a cycle). */
export function nextOccurrence(run: Run, timer: TimerState): TimerState | null {
  if (timer.timerType !== 'timeCycle') return null;
  const firedCount = timer.firedCount + 1;
  const due = nextDueTime(timer.schedule, run.now, firedCount, new Date(timer.createdAt));
  return due ? { ...timer, firedCount, dueAt: due.toISOString() } : null;
}

/** Evaluates the trigger an event definition needs (timer, message, signal); null for the others. */
export function prepareTrigger(
  run: Run,
  at: ElementInstance | null,
  elementId: string,
  definition: EventDefinition | undefined,
  role: TriggerRole,
  interrupting: boolean,
): PendingTrigger | null {
  if (!definition) return null;
  const lookup = run.lookup(at);
  switch (definition.type) {
    case 'timer':
      return { kind: 'timer', elementId, role, timer: prepareTimer(run, at, definition, elementId) };
    case 'message': {
      const name = evaluateText(definition.name, lookup, `message name of '${elementId}'`);
      const correlationKey = definition.correlationKey === undefined ? undefined : correlationKeyOf(definition.correlationKey, run, at, elementId);
      return { kind: 'message', elementId, role, name, ...(correlationKey !== undefined ? { correlationKey } : {}), interrupting };
    }
    case 'signal':
      return { kind: 'signal', elementId, role, name: evaluateText(definition.name, lookup, `signal name of '${elementId}'`), interrupting };
    default:
      return null;
  }
}

function correlationKeyOf(text: string, run: Run, at: ElementInstance | null, elementId: string): string {
  const key = evaluateOptionalText(text, run.lookup(at), `correlation key of '${elementId}'`);
  if (key === undefined) throw new StepFailure(`correlation key of '${elementId}' ('${text}') is null or empty`);
  return key;
}

/** Registers a prepared trigger on `owner` (null = process scope) and emits its effect. Returns the key. */
export function openTrigger(run: Run, owner: ElementInstance | null, pending: PendingTrigger): string {
  const key = run.newId();
  const elementInstanceId = owner?.id ?? null;
  if (pending.kind === 'timer') {
    run.addWait(owner, key, { kind: 'timer', elementInstanceId, elementId: pending.elementId, role: pending.role, timer: pending.timer });
    run.emit({ type: 'scheduleTimer', timerKey: key, elementInstanceId, elementId: pending.elementId, role: pending.role, dueAt: pending.timer.dueAt, timer: pending.timer });
    run.events.push({
      type: 'timer.scheduled',
      elementId: pending.elementId,
      ...(elementInstanceId ? { elementInstanceId } : {}),
      data: { timerKey: key, dueAt: pending.timer.dueAt, role: pending.role },
    });
    return key;
  }
  const { kind, elementId, role, name, correlationKey, interrupting } = pending;
  run.addWait(owner, key, { kind, elementInstanceId, elementId, role, name, ...(correlationKey !== undefined ? { correlationKey } : {}), interrupting });
  run.emit({
    type: 'openSubscription',
    subscriptionKey: key,
    eventType: kind,
    name,
    ...(correlationKey !== undefined ? { correlationKey } : {}),
    elementInstanceId,
    elementId,
    role,
    interrupting,
  });
  return key;
}

export function openTriggers(run: Run, owner: ElementInstance | null, pending: readonly PendingTrigger[]): void {
  for (const p of pending) openTrigger(run, owner, p);
}

/** Dispatches a job for `ei` (service/send/business-rule/script task, message throw). */
export function openJob(run: Run, ei: ElementInstance, job: JobSpec, retriesOverride?: number): void {
  const lookup = run.lookup(ei);
  const jobType = job.type !== '' ? job.type : evaluateText(job.typeExpression ?? '', lookup, `job type of '${ei.elementId}'`);
  const retries = retriesOverride ?? (job.retriesExpression ? evaluateInteger(job.retriesExpression, lookup, `retries of '${ei.elementId}'`) : job.retries);
  const key = run.newId();
  run.addWait(ei, key, { kind: 'job', elementInstanceId: ei.id, elementId: ei.elementId, jobType });
  run.emit({
    type: 'dispatchJob',
    jobKey: key,
    elementInstanceId: ei.id,
    elementId: ei.elementId,
    jobType,
    retries: Math.max(1, retries),
    headers: { ...job.headers },
    variables: visibleVariables(run.state, ei),
  });
  run.record('job.dispatched', ei, { jobKey: key, jobType });
}
