// The contract of the pure engine core. The runtime (src/runtime/) loads an InstanceState (one jsonb
// document per instance), calls `execute` with one Command, persists the returned state and turns
// every Effect into rows (user_task, job, timer, subscription, outbox, incident) and every
// HistoryEvent into a history_event row (adding `at` and `actor`). Nothing here performs I/O.
//
// Stability: this file is shared with the runtime. Changes are additive only (new optional fields,
// new union members). Everything is plain JSON: no Dates, no classes, no undefined-vs-missing tricks.
//
//   execute(model, state, command, { now, newId }) → { state, effects, events }
//
// - `state` is null only for `start`. The input state is never mutated; a new one is returned.
// - Process-level problems never throw: a failed expression is a `raiseIncident` effect and the
//   token waits on that element; a BPMN error nobody catches is an `uncaught-error` incident.
// - Programming errors and impossible commands throw `EngineError` (src/engine/errors.ts) with a
//   code. `stale` means "the wait state this command addresses is gone" (job completed twice, timer
//   of a task that already finished, task completed after the instance was canceled): the runtime
//   treats it as "changes nothing" (e.g. 409 for a task completion, ack-and-drop for a job result).
// - Closing waits: the command that consumes a job / user task / timer / child key gets no cancel
//   effect for it (the runtime marks that row done itself); a fired timer cycle continues under a NEW
//   key (`scheduleTimer`). Subscriptions are never consumed implicitly: whenever one closes —
//   including the one just delivered, if the delivery closes it — a `closeSubscription` follows;
//   non-interrupting boundary / event-subprocess subscriptions stay open after a delivery.
// - Every other wait the engine abandons (interrupted, canceled, terminated, the host completed)
//   gets its cancel effect: cancelJob, cancelUserTask, cancelTimer, closeSubscription, cancelChildInstance.

import type { ElementKind, TimerDefinitionType } from '../bpmn/process-model.js';
import type { TimerSchedule } from '../expressions/index.js';

export type Variables = Record<string, unknown>;

// ───────────────────────────── execute ─────────────────────────────

export interface ExecuteContext {
  /** The command's time: stamps `since`, bases durations and timer due dates. */
  readonly now: Date;
  /** Fresh unique ids (UUIDs in production) for element instances, jobs, tasks, timers, incidents, children. */
  readonly newId: () => string;
}

export interface ExecuteResult {
  readonly state: InstanceState;
  /** In order of occurrence. A cancel effect may follow the create effect of the same key within one result. */
  readonly effects: Effect[];
  /** Oldest first; the runtime adds `at` (context.now) and `actor`. */
  readonly events: HistoryEvent[];
}

// ───────────────────────────── state ─────────────────────────────

export type InstanceStatus = 'active' | 'completed' | 'terminated' | 'canceled';

/** Set on a child instance started by a call activity. */
export interface ParentLink {
  readonly instanceId: string;
  /** The call activity's element instance in the parent. */
  readonly elementInstanceId: string;
  readonly elementId?: string;
  /** Root of the call hierarchy (the row the runtime locks); defaults to `instanceId`. */
  readonly rootInstanceId?: string;
  /**
   * The escalation catches above this child, innermost level first: the call activity's boundary
   * events and the event subprocesses of its enclosing scopes, then the parent's own levels. Only
   * levels with an escalation catch are kept. The child reads it to know, when it throws an
   * escalation it does not catch itself, whether an ancestor will catch it interrupting (then the
   * thrower waits to be canceled instead of continuing). Missing = nothing above catches escalations.
   */
  readonly escalationCatches?: readonly (readonly EscalationCatch[])[];
}

/** One escalation catch event above a child instance (see ParentLink.escalationCatches). */
export interface EscalationCatch {
  /** Missing: catches every escalation code. */
  readonly code?: string;
  readonly interrupting: boolean;
}

/** Sentinel scope key for the process itself in `joins` and `WaitRef.elementInstanceId === null`. */
export const ROOT_SCOPE = '$root';

export interface InstanceState {
  readonly schema: 1;
  /** ProcessModel.id the instance was started on (sanity check against the model passed in). */
  definitionKey: string;
  status: InstanceStatus;
  /** Suspended instances refuse everything but resume, cancel and setVariables (child results wait in `deferred`). */
  suspended: boolean;
  /**
   * What called children reported while this instance was suspended (completed, failed, escalated):
   * the child has moved on and will not say it again, so it is kept here and applied, in order, on
   * resume.
   */
  deferred?: ChildResultCommand[];
  businessKey?: string;
  parent?: ParentLink;
  startedAt: string;
  endedAt?: string;
  /** The root variable scope (= process variables shown by the API). */
  variables: Variables;
  /** Live element instances only (waiting, or stuck on an incident); removed when left/terminated. */
  elements: Record<string, ElementInstance>;
  /** Every open wait key (job key, user task id, timer key, subscription key, child instance id) → owner. */
  waits: Record<string, WaitRef>;
  /** Keys owned by the process scope itself (event-subprocess start triggers at process level). */
  rootWaits: string[];
  /** Join bookkeeping: scope instance id (ROOT_SCOPE for the process) → gateway id → flow id → tokens arrived. */
  joins: Record<string, Record<string, Record<string, number>>>;
  /** Open incidents by incident key. Resolved ones are removed (history keeps them). */
  incidents: Record<string, IncidentRecord>;
}

/** Element-instance kinds: the BPMN kind, plus the synthetic body that owns multi-instance inner instances. */
export type ElementInstanceKind = ElementKind | 'multiInstanceBody';

/**
 * `activating`: entered, input mappings / activation logic not finished (an incident here re-runs activation).
 * `active`: waiting for something (wait keys, children).
 * `completing`: done, leaving (an incident here — output mapping or outgoing condition — re-runs completion).
 */
export type ElementInstanceState = 'activating' | 'active' | 'completing';

export interface ElementInstance {
  readonly id: string;
  readonly elementId: string;
  readonly kind: ElementInstanceKind;
  /** The scope element instance (subprocess, event subprocess, multi-instance body); null = process level. */
  readonly parentId: string | null;
  state: ElementInstanceState;
  /** ISO time of entering. */
  readonly since: string;
  /** Keys in `InstanceState.waits` this instance owns: its job/task/timer/subscription/child, and boundary
   *  or event-subprocess or event-gateway triggers. */
  waits?: string[];
  /** Open incident on this element instance. */
  incident?: string;
  /** Local variable scope (input mappings, subprocess locals, loop variables, result before output mappings). */
  variables?: Variables;
  /** On a multi-instance body. */
  mi?: MultiInstanceState;
  /** On an inner instance of a multi-instance body (also present as the local variable `loopCounter`). */
  loopCounter?: number;
  /** Variables delivered by the trigger that created this instance (message, signal, error), applied
   *  when it completes; kept only while an incident holds it. */
  payload?: Variables;
  /** A BPMN error this instance is (re)throwing: kept on an error end event / call activity so a retry can rethrow. */
  error?: { code: string; message?: string };
}

export interface MultiInstanceState {
  readonly sequential: boolean;
  /** Snapshot of the input collection (null when driven by loopCardinality). */
  readonly items: unknown[] | null;
  readonly total: number;
  /** How many inner instances were created so far (the next loopCounter is started + 1). */
  started: number;
  completed: number;
  active: number;
}

/** What reacts when a wait key fires. */
export type TriggerRole =
  /** The owning element itself waits (task, receive task, catch event, call activity). */
  | 'self'
  /** A boundary event (`elementId`) attached to the owning activity (or multi-instance body). */
  | 'boundary'
  /** An event-subprocess start event (`elementId`) of the owning scope (null = process). */
  | 'eventSubProcess'
  /** A catch event / receive task (`elementId`) after the owning event-based gateway. */
  | 'eventGateway';

export type WaitRef =
  | { readonly kind: 'job'; readonly elementInstanceId: string; readonly elementId: string; readonly jobType: string }
  | { readonly kind: 'userTask'; readonly elementInstanceId: string; readonly elementId: string }
  | { readonly kind: 'child'; readonly elementInstanceId: string; readonly elementId: string }
  | {
      readonly kind: 'timer';
      readonly elementInstanceId: string | null;
      readonly elementId: string;
      readonly role: TriggerRole;
      readonly timer: TimerState;
    }
  | {
      readonly kind: 'message' | 'signal';
      readonly elementInstanceId: string | null;
      readonly elementId: string;
      readonly role: TriggerRole;
      readonly name: string;
      readonly correlationKey?: string;
      readonly interrupting: boolean;
    };

export interface TimerState {
  readonly timerType: TimerDefinitionType;
  /** The (evaluated) timer text and its parsed schedule. */
  readonly text: string;
  readonly schedule: TimerSchedule;
  readonly dueAt: string;
  /** How many times this timer chain fired before this occurrence (cycles). */
  readonly firedCount: number;
  /** When the chain was first scheduled (base of durations and of cycles without a start). */
  readonly createdAt: string;
}

export type IncidentType = 'job-failed' | 'expression' | 'uncaught-error';

export interface IncidentRecord {
  readonly key: string;
  readonly elementInstanceId: string;
  readonly elementId: string;
  readonly type: IncidentType;
  readonly message: string;
  /** For job incidents: the dead job (a retry dispatches a new job with a new key). */
  readonly jobKey?: string;
  readonly createdAt: string;
}

// ───────────────────────────── commands ─────────────────────────────

export type Command =
  /** Creates the instance. `startEventId` picks a message/signal/timer start event (default: the none start). */
  | {
      readonly type: 'start';
      readonly variables?: Variables;
      readonly startEventId?: string;
      readonly businessKey?: string;
      /** Set when the runtime starts a child for a `startChildInstance` effect. */
      readonly parent?: ParentLink;
      /** Starting user (Camunda 7 camunda:initiator variable). */
      readonly initiator?: string;
    }
  | { readonly type: 'completeUserTask'; readonly taskId: string; readonly variables?: Variables; readonly actor?: string }
  | { readonly type: 'completeJob'; readonly jobKey: string; readonly variables?: Variables | null }
  /** The worker's `$bpmnError`. */
  | { readonly type: 'throwError'; readonly jobKey: string; readonly code: string; readonly message?: string; readonly variables?: Variables }
  /** Retries exhausted: the job is dead → incident `job-failed` (retry dispatches a new job). */
  | { readonly type: 'failJob'; readonly jobKey: string; readonly message: string }
  | { readonly type: 'fireTimer'; readonly timerKey: string }
  | { readonly type: 'deliverSignal'; readonly subscriptionKey: string; readonly variables?: Variables }
  | { readonly type: 'deliverMessage'; readonly subscriptionKey: string; readonly variables?: Variables }
  /** Cancels everything. `byParent`: the parent's call activity was terminated (no notifyParent back).
   *  A child instance cannot be canceled on its own (EngineError 'not-root-instance'), as in Zeebe. */
  | { readonly type: 'cancel'; readonly byParent?: boolean }
  | { readonly type: 'suspend' }
  | { readonly type: 'resume' }
  /** Merged into the root scope, or into one element instance's local scope. */
  | { readonly type: 'setVariables'; readonly variables: Variables; readonly elementInstanceId?: string }
  /** Resolves the incident and re-runs the failed step (re-dispatch the job / re-evaluate the expression). */
  | { readonly type: 'retryIncident'; readonly incidentKey: string; readonly retries?: number }
  /** The child started for a call activity completed; `variables` are its root variables. */
  | { readonly type: 'childCompleted'; readonly childInstanceId: string; readonly variables: Variables }
  /** The child threw a BPMN error it did not catch. */
  | {
      readonly type: 'childFailed';
      readonly childInstanceId: string;
      readonly errorCode: string;
      readonly message?: string;
      readonly variables?: Variables;
    }
  /** The child threw an escalation it did not catch; `variables` are its root variables. The call
   *  activity rethrows it here (its output mappings pick what reaches the catch). */
  | { readonly type: 'childEscalated'; readonly childInstanceId: string; readonly code: string; readonly variables?: Variables }
  /** The runtime could not start the child (no deployed process for the call activity): incident; retry starts it again. */
  | { readonly type: 'childNotStarted'; readonly childInstanceId: string; readonly message: string };

export type CommandType = Command['type'];

// ───────────────────────────── effects ─────────────────────────────

interface ElementRef {
  readonly elementInstanceId: string;
  readonly elementId: string;
}

export interface CreateUserTaskEffect extends ElementRef {
  readonly type: 'createUserTask';
  readonly taskId: string;
  readonly name?: string;
  readonly assignee?: string;
  /** Resolved, trimmed, de-duplicated. All three empty = no assignment rule: the runtime offers the
   *  task to DEFAULT_TASK_GROUP. */
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  /** ISO date-times. */
  readonly dueAt?: string;
  readonly followUpAt?: string;
  /** Default 50. */
  readonly priority: number;
  readonly formKey?: string;
  readonly formId?: string;
  readonly formSchema?: unknown;
  readonly formFields?: unknown[];
  /** Notification headers (template, to, cc, remindAfter, remindEvery, escalateAfter, escalateTo), raw. */
  readonly headers: Record<string, string>;
  /** Reminders, escalation and the overdue notice the headers and due date ask for, resolved now. */
  readonly deadlines?: readonly TaskDeadline[];
  /** With a `template` header: the variables the creation mail is rendered with (and its `to`/`cc` evaluated against). */
  readonly mailVariables?: Variables;
}

/**
 * A jBPM-style deadline of a user task, fired by the runtime while the task stays open:
 * `reminder` mails its holder or candidates (then every `every`, an ISO duration), `overdue` marks
 * the due date passing (and mails like a reminder), `escalation` hands the task to `escalateTo`.
 */
export interface TaskDeadline {
  readonly key: string;
  readonly kind: 'reminder' | 'overdue' | 'escalation';
  /** ISO date-time. */
  readonly dueAt: string;
  readonly every?: string;
  readonly escalateTo?: string;
}

export interface DispatchJobEffect extends ElementRef {
  readonly type: 'dispatchJob';
  readonly jobKey: string;
  readonly jobType: string;
  /** Total number of tries (BullMQ attempts). */
  readonly retries: number;
  readonly headers: Record<string, string>;
  /** Every variable visible in the element's scope after input mappings. */
  readonly variables: Variables;
}

export interface ScheduleTimerEffect {
  readonly type: 'scheduleTimer';
  readonly timerKey: string;
  /** The waiting element instance (host activity, catch event, event gateway, scope); null = process scope. */
  readonly elementInstanceId: string | null;
  /** The timer event: catch event, boundary event or event-subprocess start event. */
  readonly elementId: string;
  readonly role: TriggerRole;
  readonly dueAt: string;
  readonly timer: TimerState;
}

export interface OpenSubscriptionEffect {
  readonly type: 'openSubscription';
  readonly subscriptionKey: string;
  readonly eventType: 'message' | 'signal';
  /** Evaluated. */
  readonly name: string;
  /** Messages: evaluated when the subscription opens. */
  readonly correlationKey?: string;
  readonly elementInstanceId: string | null;
  readonly elementId: string;
  readonly role: TriggerRole;
  readonly interrupting: boolean;
}

export type Effect =
  | CreateUserTaskEffect
  | ({ readonly type: 'cancelUserTask'; readonly taskId: string } & ElementRef)
  | DispatchJobEffect
  | ({ readonly type: 'cancelJob'; readonly jobKey: string } & ElementRef)
  | ScheduleTimerEffect
  | { readonly type: 'cancelTimer'; readonly timerKey: string; readonly elementInstanceId: string | null; readonly elementId: string }
  | OpenSubscriptionEffect
  | {
      readonly type: 'closeSubscription';
      readonly subscriptionKey: string;
      readonly eventType: 'message' | 'signal';
      readonly elementInstanceId: string | null;
      readonly elementId: string;
    }
  /** Send task without a job type: Flowdesk renders `template` itself. The task has already completed. */
  | ({
      readonly type: 'sendMail';
      readonly template: string;
      readonly headers: Record<string, string>;
      readonly variables: Variables;
    } & ElementRef)
  | ({
      readonly type: 'raiseIncident';
      readonly incidentKey: string;
      readonly incidentType: IncidentType;
      readonly message: string;
      readonly jobKey?: string;
    } & ElementRef)
  | { readonly type: 'resolveIncident'; readonly incidentKey: string }
  | {
      readonly type: 'startChildInstance';
      /** Chosen here (newId): the runtime creates the child instance row with this id and runs `start`
       *  with `parent` = { instanceId: this instance, elementInstanceId: parentElementInstanceId }. */
      readonly childInstanceId: string;
      /** Evaluated called process key. */
      readonly processKey: string;
      readonly binding: 'latest' | 'deployment' | 'version' | 'versionTag';
      readonly version?: string;
      readonly versionTag?: string;
      readonly variables: Variables;
      readonly businessKey?: string;
      readonly parentElementInstanceId: string;
      readonly parentElementId: string;
      /** Copy into the child's ParentLink (escalationCatches). */
      readonly escalationCatches?: readonly (readonly EscalationCatch[])[];
    }
  | { readonly type: 'cancelChildInstance'; readonly childInstanceId: string; readonly parentElementInstanceId: string }
  /** This instance is a child: tell the parent (→ `childCompleted` / `childFailed` / `childEscalated`
   *  on the parent). 'escalation' is not final: the child goes on (or waits to be canceled by the
   *  parent when ParentLink.escalationCatches says an ancestor catches it interrupting). */
  | {
      readonly type: 'notifyParent';
      readonly parent: ParentLink;
      readonly outcome: 'completed' | 'error' | 'escalation';
      readonly variables: Variables;
      readonly errorCode?: string;
      readonly errorMessage?: string;
      readonly escalationCode?: string;
    }
  /** Signal throw event: the runtime broadcasts it (after commit) like POST /api/signals. */
  | { readonly type: 'throwSignal'; readonly name: string; readonly variables: Variables }
  | { readonly type: 'instanceEnded'; readonly status: Exclude<InstanceStatus, 'active'> };

export type EffectType = Effect['type'];

// ───────────────────────────── history ─────────────────────────────

export type HistoryEventType =
  | 'instance.started'
  | 'instance.completed'
  | 'instance.canceled'
  | 'instance.terminated'
  | 'instance.suspended'
  | 'instance.resumed'
  | 'element.entered'
  | 'element.left'
  /** Left without completing (interrupted, canceled). Additive to API.md's list. */
  | 'element.terminated'
  | 'task.created'
  | 'task.completed'
  | 'task.canceled'
  | 'job.dispatched'
  | 'job.completed'
  | 'job.failed'
  | 'timer.scheduled'
  | 'timer.fired'
  | 'timer.canceled'
  | 'signal.received'
  | 'message.correlated'
  | 'incident.raised'
  | 'incident.resolved'
  | 'variables.updated'
  /** A BPMN error was thrown (data: code, caughtBy?). Additive. */
  | 'error.thrown'
  /** An escalation was thrown (data: code, then caughtBy, or toParent: true (passed to the parent
   *  instance), or caught: false (only recorded); on a call activity also fromChild). Additive. */
  | 'escalation.thrown';

export interface HistoryEvent {
  readonly type: HistoryEventType;
  readonly elementId?: string;
  readonly elementInstanceId?: string;
  readonly data?: Record<string, unknown>;
}

/** The commands a called child sends its parent (src/engine/commands.ts). */
export type ChildResultCommand = Extract<Command, { type: 'childCompleted' | 'childFailed' | 'childEscalated' }>;
