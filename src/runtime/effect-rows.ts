import type { Command, CreateUserTaskEffect, Effect, HistoryEvent, TaskDeadline } from '../engine/types.js';
import type { RowBatch, TimerRow } from '../persistence/runtime-rows.js';

/** What the executor needs to know about the instance an effect came from. */
export interface EffectOrigin {
  readonly instanceId: string;
  readonly definitionId: string;
  readonly definitionKey: string;
  readonly businessKey: string | null;
  readonly defaultTaskGroup: string;
  readonly now: Date;
  readonly actor: string | null;
}

/** Commands an effect causes on another instance of the same call hierarchy, run in the same transaction. */
export type FollowUp =
  | { readonly kind: 'startChild'; readonly effect: Extract<Effect, { type: 'startChildInstance' }>; readonly parentInstanceId: string }
  | { readonly kind: 'command'; readonly instanceId: string; readonly command: Command };

/**
 * Turns one engine effect into rows of the batch, or into a follow-up command. Pure data mapping:
 * everything leaving the process (jobs, mails, signals) becomes an outbox row published after commit.
 */
export function applyEffect(effect: Effect, origin: EffectOrigin, batch: RowBatch, followUps: FollowUp[]): void {
  const { instanceId, now } = origin;
  switch (effect.type) {
    case 'createUserTask': {
      const unassigned = effect.assignee === undefined && effect.candidateGroups.length === 0 && effect.candidateUsers.length === 0;
      batch.userTasks.push({
        id: effect.taskId,
        processInstanceId: instanceId,
        elementId: effect.elementId,
        elementInstanceId: effect.elementInstanceId,
        name: effect.name ?? null,
        definitionKey: origin.definitionKey,
        businessKey: origin.businessKey,
        assignee: effect.assignee ?? null,
        // No assignment rule at all: offered to DEFAULT_TASK_GROUP so no task is ever invisible.
        candidateGroups: unassigned ? [origin.defaultTaskGroup] : effect.candidateGroups,
        candidateUsers: effect.candidateUsers,
        priority: effect.priority,
        dueAt: effect.dueAt ?? null,
        followUpAt: effect.followUpAt ?? null,
        formKey: effect.formKey ?? effect.formId ?? null,
        form: effect.formSchema !== undefined || effect.formFields !== undefined ? { schema: effect.formSchema, fields: effect.formFields } : null,
        headers: effect.headers,
        createdAt: now,
      });
      for (const deadline of effect.deadlines ?? []) batch.timers.push(deadlineTimer(deadline, effect, origin));
      const mail = creationMail(effect, unassigned);
      if (mail) batch.outbox.push({ ...mail, processInstanceId: instanceId, createdAt: now });
      return;
    }
    case 'cancelUserTask':
      batch.canceledUserTasks.push(effect.taskId);
      return;
    case 'dispatchJob':
      batch.jobs.push({
        key: effect.jobKey,
        processInstanceId: instanceId,
        elementId: effect.elementId,
        elementInstanceId: effect.elementInstanceId,
        type: effect.jobType,
        retries: effect.retries,
        headers: effect.headers,
        variables: effect.variables,
        createdAt: now,
      });
      batch.outbox.push({ kind: 'job.dispatch', processInstanceId: instanceId, payload: { jobKey: effect.jobKey, jobType: effect.jobType }, createdAt: now });
      return;
    case 'cancelJob':
      batch.endedJobs.push({ key: effect.jobKey, state: 'canceled' });
      batch.outbox.push({ kind: 'job.cancel', processInstanceId: instanceId, payload: { jobKey: effect.jobKey }, createdAt: now });
      return;
    case 'scheduleTimer':
      batch.timers.push({
        key: effect.timerKey,
        processInstanceId: instanceId,
        definitionId: origin.definitionId,
        elementId: effect.elementId,
        elementInstanceId: effect.elementInstanceId,
        dueAt: effect.dueAt,
        timer: { ...effect.timer, role: effect.role },
        createdAt: now,
      });
      return;
    case 'cancelTimer':
      batch.canceledTimers.push(effect.timerKey);
      return;
    case 'openSubscription':
      batch.subscriptions.push({
        key: effect.subscriptionKey,
        processInstanceId: instanceId,
        definitionId: origin.definitionId,
        eventType: effect.eventType,
        name: effect.name,
        correlationKey: effect.correlationKey ?? null,
        elementId: effect.elementId,
        elementInstanceId: effect.elementInstanceId,
        interrupting: effect.interrupting,
        createdAt: now,
      });
      return;
    case 'closeSubscription':
      batch.closedSubscriptions.push(effect.subscriptionKey);
      return;
    case 'sendMail':
      batch.outbox.push({
        kind: 'mail.send',
        processInstanceId: instanceId,
        payload: { elementId: effect.elementId, elementInstanceId: effect.elementInstanceId, template: effect.template, headers: effect.headers, variables: effect.variables },
        createdAt: now,
      });
      return;
    case 'raiseIncident':
      batch.incidents.push({
        id: effect.incidentKey,
        processInstanceId: instanceId,
        elementId: effect.elementId,
        elementInstanceId: effect.elementInstanceId,
        type: effect.incidentType,
        message: effect.message,
        jobKey: effect.jobKey ?? null,
        createdAt: now,
      });
      return;
    case 'resolveIncident':
      batch.resolvedIncidents.push(effect.incidentKey);
      return;
    case 'startChildInstance':
      followUps.push({ kind: 'startChild', effect, parentInstanceId: instanceId });
      return;
    case 'cancelChildInstance':
      followUps.push({ kind: 'command', instanceId: effect.childInstanceId, command: { type: 'cancel', byParent: true } });
      return;
    case 'notifyParent': {
      // 'escalation' is not final: the child goes on (or is canceled by the parent's interrupting catch).
      const command: Command =
        effect.outcome === 'completed'
          ? { type: 'childCompleted', childInstanceId: instanceId, variables: effect.variables }
          : effect.outcome === 'error'
            ? { type: 'childFailed', childInstanceId: instanceId, errorCode: effect.errorCode ?? '', message: effect.errorMessage, variables: effect.variables }
            : { type: 'childEscalated', childInstanceId: instanceId, code: effect.escalationCode ?? '', variables: effect.variables };
      followUps.push({ kind: 'command', instanceId: effect.parent.instanceId, command });
      return;
    }
    case 'throwSignal':
      batch.outbox.push({ kind: 'signal.throw', processInstanceId: instanceId, payload: { name: effect.name, variables: effect.variables }, createdAt: now });
      return;
    case 'instanceEnded':
      // The instance row's status and ended_at come from the state itself.
      return;
    default:
      assertNever(effect);
  }
}

/** A user task's deadline as a `task-deadline` timer row: fired by src/tasks/task-deadlines.ts while the task is open. */
function deadlineTimer(deadline: TaskDeadline, task: CreateUserTaskEffect, origin: EffectOrigin): TimerRow {
  return {
    key: deadline.key,
    kind: 'task-deadline',
    taskId: task.taskId,
    processInstanceId: origin.instanceId,
    definitionId: origin.definitionId,
    elementId: task.elementId,
    elementInstanceId: task.elementInstanceId,
    dueAt: deadline.dueAt,
    timer: { deadline: deadline.kind, ...(deadline.every !== undefined && { every: deadline.every }), ...(deadline.escalateTo !== undefined && { escalateTo: deadline.escalateTo }), occurrence: 1 },
    createdAt: origin.now,
  };
}

/**
 * The mail telling people a task needs them, queued in the task's own transaction. A `template`
 * header is the model's own mail (to its `to`/`cc`, else to the holder or candidates); otherwise
 * `task-assigned` to a holder or `task-offered` to the candidates, one mail each. A task that fell to
 * DEFAULT_TASK_GROUP (the model names nobody) mails nobody. Unknown users and groups are skipped
 * (`optional`): the directory need not know everyone a model names.
 */
function creationMail(task: CreateUserTaskEffect, unassigned: boolean): { kind: string; payload: unknown } | null {
  const people = task.assignee !== undefined ? [{ user: task.assignee }] : [...task.candidateGroups.map((group) => ({ group })), ...task.candidateUsers.map((user) => ({ user }))];
  const template = task.headers.template;
  if (template) {
    return {
      kind: 'mail.send',
      payload: { elementId: task.elementId, elementInstanceId: task.elementInstanceId, template, headers: task.headers, variables: task.mailVariables ?? {}, taskId: task.taskId, reason: 'task-created', defaultTo: people },
    };
  }
  if (unassigned) return null;
  const assigned = task.assignee !== undefined;
  return {
    kind: 'mail.notify',
    payload: {
      template: assigned ? 'task-assigned' : 'task-offered',
      reason: assigned ? 'task-assigned' : 'task-offered',
      to: people,
      separately: true,
      optional: true,
      taskId: task.taskId,
      dedupeKey: `${assigned ? 'task-assigned' : 'task-offered'}:${task.taskId}`,
    },
  };
}

/** Row updates implied by the command itself (the engine reports them only as history). */
export function applyCommand(command: Command, origin: EffectOrigin, batch: RowBatch): void {
  switch (command.type) {
    case 'completeUserTask':
      batch.completedUserTasks.push({ id: command.taskId, actor: command.actor ?? origin.actor, holder: command.actor ?? null });
      return;
    case 'completeJob':
    case 'throwError':
      batch.endedJobs.push({ key: command.jobKey, state: 'completed' });
      return;
    case 'failJob':
      batch.endedJobs.push({ key: command.jobKey, state: 'failed' });
      return;
    case 'fireTimer':
      batch.firedTimers.push(command.timerKey);
      return;
    default:
      return;
  }
}

export function historyRows(events: readonly HistoryEvent[], origin: EffectOrigin, batch: RowBatch): void {
  for (const event of events) {
    batch.history.push({
      processInstanceId: origin.instanceId,
      at: origin.now,
      type: event.type,
      elementId: event.elementId ?? null,
      elementInstanceId: event.elementInstanceId ?? null,
      actor: origin.actor,
      data: event.type === 'task.created' ? withDefaultGroup(event.data, origin) : event.data ?? null,
    });
  }
}

/** A task naming nobody is offered to DEFAULT_TASK_GROUP (createUserTask above): its history says so too. */
function withDefaultGroup(data: HistoryEvent['data'], origin: EffectOrigin): HistoryEvent['data'] | null {
  const task = (data ?? {}) as { assignee?: string; candidateGroups?: string[]; candidateUsers?: string[] };
  const namesNobody = task.assignee === undefined && (task.candidateGroups ?? []).length === 0 && (task.candidateUsers ?? []).length === 0;
  return namesNobody ? { ...data, candidateGroups: [origin.defaultTaskGroup] } : data ?? null;
}

function assertNever(value: never): never {
  throw new Error(`unhandled effect ${JSON.stringify(value)}`);
}
