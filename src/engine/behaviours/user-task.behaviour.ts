import type { CandidateSpec, UserTaskNode } from '../../bpmn/process-model.js';
import { addDuration, parseIsoDuration } from '../../expressions/index.js';
import type { Behaviour } from '../behaviour.js';
import { evaluateInteger, evaluateNameList, evaluateOptionalText, evaluateValue, isExpression, StepFailure } from '../evaluate.js';
import type { Run } from '../run.js';
import { type Lookup, visibleVariables } from '../scope.js';
import type { CreateUserTaskEffect, TaskDeadline } from '../types.js';

export const DEFAULT_TASK_PRIORITY = 50;

function names(spec: CandidateSpec, lookup: Lookup, what: string): string[] {
  const out = new Set<string>();
  for (const literal of spec.literals) for (const part of literal.split(',')) if (part.trim() !== '') out.add(part.trim());
  for (const expression of spec.expressions) for (const name of evaluateNameList(expression, lookup, what)) out.add(name);
  return [...out];
}

/** An ISO date-time, an ISO duration from now, or an expression yielding either. */
function dateOf(run: Run, text: string | undefined, lookup: Lookup, what: string): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = isExpression(text) ? evaluateValue(text, lookup, what) : text.trim();
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new StepFailure(`${what}: expected an ISO date-time or duration, got ${typeof value}`);
  const duration = value.startsWith('P') || value.startsWith('-P') ? parseIsoDuration(value) : null;
  if (duration) return addDuration(run.now, duration).toISOString();
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new StepFailure(`${what}: '${value}' is neither an ISO date-time nor an ISO duration`);
  return new Date(time).toISOString();
}

/** A duration header (`PT4H`, or an expression yielding one); undefined when absent or empty. */
function durationOf(text: string | undefined, lookup: Lookup, what: string): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = isExpression(text) ? evaluateOptionalText(text, lookup, what) : text.trim();
  if (value === undefined) return undefined;
  if (parseIsoDuration(value) === null) throw new StepFailure(`${what}: '${value}' is not an ISO-8601 duration (e.g. PT4H)`);
  return value;
}

/**
 * The task's deadlines from its notification headers and due date (API.md, BPMN dialect): reminders
 * start `remindAfter` after creation, else at the due date, else `remindEvery` after creation, and
 * repeat every `remindEvery`; a due date with no reminder headers gives one overdue notice;
 * `escalateAfter` + `escalateTo` hands the task on once.
 */
function deadlinesOf(run: Run, headers: Readonly<Record<string, string>>, dueAt: string | undefined, lookup: Lookup, nodeId: string): TaskDeadline[] {
  const after = (name: string) => durationOf(headers[name], lookup, `header '${name}' of '${nodeId}'`);
  const later = (duration: string) => addDuration(run.now, parseIsoDuration(duration)!).toISOString();
  const remindAfter = after('remindAfter');
  const remindEvery = after('remindEvery');
  const escalateAfter = after('escalateAfter');
  const deadlines: TaskDeadline[] = [];
  const firstReminder = remindAfter !== undefined ? later(remindAfter) : (dueAt ?? (remindEvery !== undefined ? later(remindEvery) : undefined));
  if (firstReminder !== undefined) {
    const reminderIsOverdueNotice = remindAfter === undefined && dueAt !== undefined;
    deadlines.push({ key: run.newId(), kind: reminderIsOverdueNotice ? 'overdue' : 'reminder', dueAt: firstReminder, ...(remindEvery !== undefined && { every: remindEvery }) });
  }
  if (remindAfter !== undefined && dueAt !== undefined) deadlines.push({ key: run.newId(), kind: 'overdue', dueAt });
  if (escalateAfter !== undefined) {
    const header = headers.escalateTo ?? '';
    const escalateTo = isExpression(header) ? evaluateOptionalText(header, lookup, `header 'escalateTo' of '${nodeId}'`) : header.trim() || undefined;
    if (escalateTo === undefined) throw new StepFailure(`header 'escalateTo' of '${nodeId}' names no group`);
    deadlines.push({ key: run.newId(), kind: 'escalation', dueAt: later(escalateAfter), escalateTo });
  }
  return deadlines;
}

/**
 * Creates the task (effect) with its assignment resolved now: assignee, candidate groups/users
 * (FEEL lists, `${}` values or comma lists), due/follow-up dates, priority (default 50), form.
 * The instance waits until `completeUserTask`.
 */
export const userTaskBehaviour: Behaviour<UserTaskNode> = {
  activate(run, ei, node) {
    const spec = node.userTask;
    const lookup = run.lookup(ei);
    const assignee = spec.assignee === undefined ? undefined : isExpression(spec.assignee) ? evaluateOptionalText(spec.assignee, lookup, `assignee of '${node.id}'`) : spec.assignee.trim() || undefined;
    const candidateGroups = names(spec.candidateGroups, lookup, `candidate groups of '${node.id}'`);
    const candidateUsers = names(spec.candidateUsers, lookup, `candidate users of '${node.id}'`);
    const dueAt = dateOf(run, spec.dueDate, lookup, `due date of '${node.id}'`);
    const followUpAt = dateOf(run, spec.followUpDate, lookup, `follow-up date of '${node.id}'`);
    const priority = spec.priority === undefined || spec.priority.trim() === '' ? DEFAULT_TASK_PRIORITY : evaluateInteger(spec.priority, lookup, `priority of '${node.id}'`);
    const form = spec.form;

    const taskId = run.newId();
    const deadlines = deadlinesOf(run, spec.headers, dueAt, lookup, node.id);
    run.addWait(ei, taskId, { kind: 'userTask', elementInstanceId: ei.id, elementId: ei.elementId });
    const effect: CreateUserTaskEffect = {
      type: 'createUserTask',
      taskId,
      elementInstanceId: ei.id,
      elementId: ei.elementId,
      ...(node.name !== undefined ? { name: node.name } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
      candidateGroups,
      candidateUsers,
      ...(dueAt !== undefined ? { dueAt } : {}),
      ...(followUpAt !== undefined ? { followUpAt } : {}),
      priority,
      ...(form?.formKey !== undefined ? { formKey: form.formKey } : {}),
      ...(form?.formId !== undefined ? { formId: form.formId } : {}),
      ...(form?.schema !== undefined ? { formSchema: form.schema } : {}),
      ...(form?.fields !== undefined ? { formFields: [...form.fields] } : {}),
      headers: { ...spec.headers },
      ...(deadlines.length > 0 && { deadlines }),
      ...(spec.headers.template ? { mailVariables: visibleVariables(run.state, ei) } : {}),
    };
    run.emit(effect);
    run.record('task.created', ei, { taskId, ...(assignee !== undefined ? { assignee } : {}), candidateGroups, candidateUsers });
  },
};
