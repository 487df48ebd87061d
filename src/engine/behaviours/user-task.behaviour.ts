import type { CandidateSpec, UserTaskNode } from '../../bpmn/process-model.js';
import { addDuration, parseIsoDuration } from '../../expressions/index.js';
import type { Behaviour } from '../behaviour.js';
import { evaluateInteger, evaluateNameList, evaluateOptionalText, evaluateValue, isExpression, StepFailure } from '../evaluate.js';
import type { Run } from '../run.js';
import type { Lookup } from '../scope.js';
import type { CreateUserTaskEffect } from '../types.js';

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
    };
    run.emit(effect);
    run.record('task.created', ei, { taskId, ...(assignee !== undefined ? { assignee } : {}), candidateGroups, candidateUsers });
  },
};
