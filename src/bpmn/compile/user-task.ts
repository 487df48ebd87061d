// Who a user task is offered to, when it is due and which form it shows, from either dialect or
// from standard BPMN resource roles, normalised to one UserTaskSpec.
import type { ModdleElement } from 'bpmn-moddle';
import { expressionKind, parseIsoDuration } from '../../expressions/index.js';
import type { FormFieldSpec, FormSpec, UserTaskSpec } from '../process-model.js';
import { attr, clip, extension, extensions, text, type CompileContext } from './context.js';
import { camundaHeaders, zeebeHeaders } from './job.js';

interface MutableCandidates {
  literals: string[];
  expressions: string[];
}

export function readUserTask(ctx: CompileContext, el: ModdleElement, process: ModdleElement): UserTaskSpec {
  const id = el.id as string;
  const users: MutableCandidates = { literals: [], expressions: [] };
  const groups: MutableCandidates = { literals: [], expressions: [] };
  let assignee: string | undefined;
  let dueDate: string | undefined;
  let followUpDate: string | undefined;
  let priority: string | undefined;
  let headers: Record<string, string> = {};
  let form: FormSpec | undefined;

  if (ctx.dialect === 'zeebe') {
    const assignment = extension(el, 'zeebe:AssignmentDefinition');
    assignee = text(assignment?.assignee);
    addCandidates(ctx, id, users, text(assignment?.candidateUsers), 'candidateUsers');
    addCandidates(ctx, id, groups, text(assignment?.candidateGroups), 'candidateGroups');
    const schedule = extension(el, 'zeebe:TaskSchedule');
    dueDate = text(schedule?.dueDate);
    followUpDate = text(schedule?.followUpDate);
    priority = text(extension(el, 'zeebe:PriorityDefinition')?.priority);
    headers = zeebeHeaders(el);
    form = zeebeForm(ctx, el, process, id);
  } else if (ctx.dialect === 'camunda') {
    assignee = text(attr(el, 'camunda:assignee'));
    addCandidates(ctx, id, users, text(attr(el, 'camunda:candidateUsers')), 'candidateUsers');
    addCandidates(ctx, id, groups, text(attr(el, 'camunda:candidateGroups')), 'candidateGroups');
    dueDate = text(attr(el, 'camunda:dueDate'));
    followUpDate = text(attr(el, 'camunda:followUpDate'));
    priority = text(attr(el, 'camunda:priority'));
    headers = camundaHeaders(ctx, el, id);
    form = camundaForm(el);
  }
  if (ctx.dialect === 'camunda') {
    dueDate = fromJodaTime(ctx, id, dueDate, 'due date');
    followUpDate = fromJodaTime(ctx, id, followUpDate, 'follow-up date');
  }
  assignee = readResourceRoles(ctx, el, users, groups, assignee);
  ctx.notificationHeaders(id, headers);

  ctx.expression(id, assignee, 'assignee');
  ctx.expression(id, dueDate, 'due date');
  ctx.expression(id, followUpDate, 'follow-up date');
  ctx.expression(id, priority, 'priority');
  if (priority !== undefined && expressionKind(priority) === 'literal' && (!/^-?\d+$/.test(priority) || Math.abs(Number(priority)) > 2_147_483_647)) {
    ctx.problem(id, `priority '${clip(priority)}' is not a whole number (32-bit) or an expression`);
  }
  return {
    ...(assignee !== undefined && { assignee }),
    candidateUsers: users,
    candidateGroups: groups,
    ...(dueDate !== undefined && { dueDate }),
    ...(followUpDate !== undefined && { followUpDate }),
    ...(priority !== undefined && { priority }),
    ...(form !== undefined && { form }),
    headers,
  };
}

const JODA_DATE = /^\$\{\s*dateTime\(\)((?:\.plus(?:Years|Months|Weeks|Days|Hours|Minutes|Seconds)\(\s*\d{1,6}\s*\))+)\.toDate\(\)\s*\}$/;
const JODA_STEP = /\.plus(Years|Months|Weeks|Days|Hours|Minutes|Seconds)\(\s*(\d+)\s*\)/g;
const ISO_UNIT: Record<string, string> = { Years: 'Y', Months: 'M', Weeks: 'W', Days: 'D', Hours: 'H', Minutes: 'M', Seconds: 'S' };

/**
 * Camunda 7's own examples write due dates as Joda-Time calls (`${dateTime().plusDays(2).toDate()}`).
 * Java is never run here, but that one idiom means "a duration from now", which is what an ISO
 * duration says: it is read as one (with a warning) instead of refusing the model.
 */
function fromJodaTime(ctx: CompileContext, id: string, text: string | undefined, what: string): string | undefined {
  const chain = text === undefined ? null : JODA_DATE.exec(text.trim());
  if (!chain) return text;
  const totals = new Map<string, number>();
  for (const [, unit, amount] of chain[1]!.matchAll(JODA_STEP)) totals.set(unit!, (totals.get(unit!) ?? 0) + Number(amount));
  const part = (units: string[]) => units.filter((unit) => totals.has(unit)).map((unit) => `${totals.get(unit)}${ISO_UNIT[unit]}`).join('');
  const date = part(['Years', 'Months', 'Weeks', 'Days']);
  const time = part(['Hours', 'Minutes', 'Seconds']);
  const duration = `P${date}${time ? `T${time}` : ''}`;
  if (parseIsoDuration(duration) === null) {
    ctx.problem(id, `${what} '${clip(text!)}' calls Java (Joda-Time): read as ${duration}, which is longer than a due date can be`);
    return undefined;
  }
  ctx.warn(id, `${what} '${clip(text!)}' calls Java (Joda-Time), which is not run here: it is read as the duration ${duration} from the task's creation`);
  return duration;
}

/** A literal is a comma-separated list; anything else is one expression yielding a list or a name. */
function addCandidates(ctx: CompileContext, id: string, into: MutableCandidates, value: string | undefined, what: string): void {
  if (value === undefined) return;
  if (expressionKind(value) === 'literal') {
    into.literals.push(...value.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  } else {
    ctx.expression(id, value, what);
    into.expressions.push(value);
  }
}

/**
 * Standard BPMN `potentialOwner` (candidates) and `humanPerformer` (assignee), with Camunda 7's
 * reading of the formal expression: `user(x)` and `group(y)` items, a bare name being a group
 * for a potential owner and the user for a human performer.
 */
function readResourceRoles(
  ctx: CompileContext,
  el: ModdleElement,
  users: MutableCandidates,
  groups: MutableCandidates,
  assignee: string | undefined,
): string | undefined {
  const id = el.id as string;
  for (const role of (el.resources as ModdleElement[] | undefined) ?? []) {
    const body = text(role.resourceAssignmentExpression?.expression?.body);
    if (body === undefined) continue;
    const isPerformer = role.$type === 'bpmn:HumanPerformer' || role.$type === 'bpmn:Performer';
    if (role.$type !== 'bpmn:PotentialOwner' && !isPerformer) continue;
    for (const item of splitTopLevel(body)) {
      const m = /^(user|group)\s*\(\s*(.*?)\s*\)$/.exec(item);
      const kind = m ? m[1] : isPerformer ? 'user' : 'group';
      const name = m ? m[2]! : item;
      if (name === '') continue;
      if (isPerformer && kind === 'user' && assignee === undefined) {
        assignee = name;
        continue;
      }
      addCandidates(ctx, id, kind === 'user' ? users : groups, name, `${role.$type.slice(5)} ${kind}`);
    }
  }
  return assignee;
}

/** Splits on commas outside brackets and quotes, so `group(${a, b})` stays whole. */
function splitTopLevel(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('({['.includes(c)) depth++;
    else if (')}]'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(body.slice(start).trim());
  return out.filter((s) => s !== '');
}

const EMBEDDED_FORM_KEY = /^camunda-forms:bpmn:(.+)$/;

export function zeebeForm(ctx: CompileContext, el: ModdleElement, process: ModdleElement, id: string): FormSpec | undefined {
  const def = extension(el, 'zeebe:FormDefinition');
  if (!def) return undefined;
  const formKey = text(def.formKey) ?? text(def.externalReference);
  const formId = text(def.formId);
  const embedded = formKey !== undefined ? EMBEDDED_FORM_KEY.exec(formKey)?.[1] : undefined;
  if (embedded === undefined) {
    return { ...(formKey !== undefined && { formKey }), ...(formId !== undefined && { formId }) };
  }
  const form = extensions(process, 'zeebe:UserTaskForm').find((f) => f.id === embedded);
  if (!form) {
    ctx.problem(id, `form '${embedded}' (formKey '${formKey}') is not defined in the process's zeebe:userTaskForm elements`);
    return { formKey };
  }
  try {
    return { formKey, schema: JSON.parse(String(form.body ?? '')) as unknown };
  } catch (err) {
    ctx.problem(id, `form '${embedded}' is not valid JSON: ${(err as Error).message}`);
    return { formKey };
  }
}

export function camundaForm(el: ModdleElement): FormSpec | undefined {
  const formKey = text(attr(el, 'camunda:formKey'));
  const formId = text(attr(el, 'camunda:formRef'));
  const fields: FormFieldSpec[] = [];
  for (const data of extensions(el, 'camunda:FormData')) {
    for (const f of (data.fields as ModdleElement[] | undefined) ?? []) {
      const constraints = ((f.validation?.constraints as ModdleElement[] | undefined) ?? []).map((c) => ({
        name: String(c.name ?? ''),
        ...(c.config !== undefined && { config: String(c.config) }),
      }));
      fields.push({
        id: String(f.id ?? ''),
        ...(f.label !== undefined && { label: String(f.label) }),
        type: String(f.type ?? 'string'),
        ...(f.defaultValue !== undefined && { defaultValue: String(f.defaultValue) }),
        required: constraints.some((c) => c.name === 'required' && c.config !== 'false'),
        constraints,
        values: ((f.values as ModdleElement[] | undefined) ?? []).map((v) => ({ id: String(v.id ?? ''), ...(v.name !== undefined && { name: String(v.name) }) })),
      });
    }
  }
  // The older Activiti-style form properties describe the same thing.
  for (const p of extensions(el, 'camunda:FormProperty')) {
    fields.push({
      id: String(p.id ?? ''),
      ...(p.name !== undefined && { label: String(p.name) }),
      type: String(p.type ?? 'string'),
      ...(p.default !== undefined && { defaultValue: String(p.default) }),
      required: p.required === 'true',
      constraints: p.required === 'true' ? [{ name: 'required' }] : [],
      values: ((p.values as ModdleElement[] | undefined) ?? []).map((v) => ({ id: String(v.id ?? ''), ...(v.name !== undefined && { name: String(v.name) }) })),
    });
  }
  if (formKey === undefined && formId === undefined && fields.length === 0) return undefined;
  return { ...(formKey !== undefined && { formKey }), ...(formId !== undefined && { formId }), ...(fields.length > 0 && { fields }) };
}
