// Validates a task completion's variables against the task's form, so a process never continues on
// data its own form would have refused. Pure; every problem is reported at once, named by field.
//
// A field's value is what the completion submits, else the value already visible to the task (a
// form renders prefilled from the process variables and submits them unchanged). `required`
// checks that value; type and range rules check submitted values only: what the process already
// holds was put there by the process.
import type { ErrorDetail } from '../common/domain-error.js';
import { compileCached } from '../expressions/index.js';

export interface FormToValidate {
  /** form-js JSON schema (zeebe:userTaskForm / zeebe:formDefinition). */
  readonly schema?: unknown;
  /** Camunda 7 camunda:formData fields (FormFieldSpec). */
  readonly fields?: readonly unknown[];
}

type Values = Readonly<Record<string, unknown>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// form-js's phone rule: E.164.
const PHONE = /^\+?[1-9]\d{1,14}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Model-authored patterns run on bounded input only. */
const MAX_PATTERN_INPUT = 10_000;

export function validateAgainstForm(form: FormToValidate | null | undefined, submitted: Values, existing: Values): ErrorDetail[] {
  if (!form) return [];
  const problems: ErrorDetail[] = [];
  if (isObject(form.schema)) validateFormJs(form.schema, submitted, existing, problems);
  if (Array.isArray(form.fields)) validateFormData(form.fields, submitted, existing, problems);
  return problems;
}

// ───────────────────────────── form-js ─────────────────────────────

interface Component {
  type?: unknown;
  key?: unknown;
  path?: unknown;
  label?: unknown;
  validate?: { required?: unknown; min?: unknown; max?: unknown; minLength?: unknown; maxLength?: unknown; pattern?: unknown; validationType?: unknown };
  values?: unknown;
  valuesKey?: unknown;
  components?: unknown;
  conditional?: { hide?: unknown };
  readonly?: unknown;
  disabled?: unknown;
  subtype?: unknown;
  serializeToString?: unknown;
}

/** Components that hold no value of their own. */
const DISPLAY_ONLY = new Set(['text', 'html', 'image', 'spacer', 'separator', 'button', 'iframe', 'table', 'expression', 'documentPreview']);

function validateFormJs(schema: Record<string, unknown>, submitted: Values, existing: Values, problems: ErrorDetail[]): void {
  const context = { ...existing, ...submitted };
  walk(asComponents(schema.components), [], { submitted, existing }, context, (field, message) => problems.push({ field, message }));
}

interface Scope {
  /** Objects the current path is resolved in (the submission, and what the task already has). */
  submitted: unknown;
  existing: unknown;
}

type Report = (field: string, message: string) => void;

function walk(components: Component[], path: string[], scope: Scope, context: Values, report: Report): void {
  for (const component of components) {
    if (isHidden(component, context)) continue;
    const type = typeof component.type === 'string' ? component.type : '';
    const own = typeof component.path === 'string' && component.path !== '' ? component.path.split('.') : [];
    if (type === 'group' || type === 'default') {
      walk(asComponents(component.components), [...path, ...own], scope, context, report);
      continue;
    }
    if (type === 'dynamiclist') {
      const listPath = [...path, ...own];
      const submittedList = at(scope.submitted, listPath);
      const existingList = at(scope.existing, listPath);
      const list = submittedList.found ? submittedList.value : existingList.value;
      if (submittedList.found && submittedList.value !== null && !Array.isArray(submittedList.value)) {
        report(listPath.join('.'), 'must be a list');
        continue;
      }
      if (!Array.isArray(list)) continue;
      list.forEach((item, index) => {
        const itemScope: Scope = { submitted: submittedList.found ? item : undefined, existing: submittedList.found ? undefined : item };
        const itemReport: Report = (field, message) => report(`${listPath.join('.')}[${index}].${field}`, message);
        walk(asComponents(component.components), [], itemScope, { ...context, ...(isObject(item) ? item : {}) }, itemReport);
      });
      continue;
    }
    if (DISPLAY_ONLY.has(type) || typeof component.key !== 'string' || component.key === '') continue;
    const fieldPath = [...path, ...component.key.split('.')];
    const field = fieldPath.join('.');
    checkComponent(component, type, at(scope.submitted, fieldPath), at(scope.existing, fieldPath), context, (message) => report(field, message));
  }
}

function checkComponent(c: Component, type: string, submitted: Found, existing: Found, context: Values, fail: (message: string) => void): void {
  const validate = isObject(c.validate) ? c.validate : {};
  const value = submitted.found ? submitted.value : existing.value;
  const locked = c.readonly === true || c.disabled === true;
  if (validate.required === true && !locked && isEmpty(value)) return fail('is required');
  if (!submitted.found || submitted.value === null || submitted.value === undefined) return;
  const v = submitted.value;
  switch (type) {
    case 'textfield':
    case 'textarea':
      if (typeof v !== 'string') return fail('must be text');
      if (v === '') return;
      checkText(v, validate, fail);
      return;
    case 'number': {
      const n = typeof v === 'number' ? v : c.serializeToString === true && typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) return fail('must be a number');
      if (typeof validate.min === 'number' && n < validate.min) return fail(`must be at least ${validate.min}`);
      if (typeof validate.max === 'number' && n > validate.max) return fail(`must be at most ${validate.max}`);
      return;
    }
    case 'checkbox':
      if (typeof v !== 'boolean') fail('must be true or false');
      return;
    case 'radio':
    case 'select': {
      const allowed = optionValues(c, context);
      if (allowed && !allowed.some((option) => sameValue(option, v))) fail(`must be one of: ${allowed.map(show).join(', ')}`);
      return;
    }
    case 'checklist':
    case 'taglist': {
      if (!Array.isArray(v)) return fail('must be a list');
      const allowed = optionValues(c, context);
      const bad = allowed ? v.filter((item) => !allowed.some((option) => sameValue(option, item))) : [];
      if (bad.length > 0) fail(`contains values that are not options: ${bad.map(show).join(', ')}`);
      return;
    }
    case 'datetime': {
      if (typeof v !== 'string') return fail('must be a date/time text');
      const ok = c.subtype === 'date' ? ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)) : c.subtype === 'time' ? ISO_TIME.test(v) : !Number.isNaN(Date.parse(v));
      if (!ok) fail(c.subtype === 'date' ? 'must be a date (YYYY-MM-DD)' : c.subtype === 'time' ? 'must be a time (HH:mm)' : 'must be an ISO-8601 date-time');
      return;
    }
    default:
      return;
  }
}

function checkText(v: string, validate: NonNullable<Component['validate']>, fail: (message: string) => void): void {
  if (typeof validate.minLength === 'number' && v.length < validate.minLength) return fail(`must have at least ${validate.minLength} characters`);
  if (typeof validate.maxLength === 'number' && v.length > validate.maxLength) return fail(`must have at most ${validate.maxLength} characters`);
  if (validate.validationType === 'email' && !EMAIL.test(v)) return fail('must be an email address');
  if (validate.validationType === 'phone' && !PHONE.test(v)) return fail('must be a phone number');
  if (typeof validate.pattern === 'string' && validate.pattern !== '' && v.length <= MAX_PATTERN_INPUT) {
    let pattern: RegExp | null = null;
    try {
      pattern = new RegExp(validate.pattern);
    } catch {
      pattern = null; // a pattern the browser could not compile either: not the submitter's fault
    }
    if (pattern && !pattern.test(v)) fail(`must match the pattern ${validate.pattern}`);
  }
}

/** Static `values`, or options read from the variable named by `valuesKey`; null = anything goes. */
function optionValues(c: Component, context: Values): unknown[] | null {
  const source = Array.isArray(c.values) ? c.values : typeof c.valuesKey === 'string' ? context[c.valuesKey] : undefined;
  if (!Array.isArray(source)) return null;
  return source.map((option) => (isObject(option) && 'value' in option ? option.value : option));
}

/** form-js `conditional.hide` is FEEL (`=expr`); a hidden field is neither shown nor validated. */
function isHidden(c: Component, context: Values): boolean {
  const hide = isObject(c.conditional) ? c.conditional.hide : undefined;
  if (typeof hide !== 'string' || hide.trim() === '') return false;
  const text = hide.trimStart().startsWith('=') ? hide : `=${hide}`;
  const compiled = compileCached(text);
  if (!compiled.ok) return false;
  const result = compiled.expression.evaluate(context);
  return result.ok && result.value === true;
}

// ───────────────────────────── Camunda 7 formData ─────────────────────────────

interface FormField {
  id?: unknown;
  type?: unknown;
  required?: unknown;
  constraints?: unknown;
  values?: unknown;
}

/** dd/MM/yyyy (Camunda 7's default date format) or ISO-8601. */
const C7_DATE = /^\d{2}\/\d{2}\/\d{4}$/;

function validateFormData(fields: readonly unknown[], submitted: Values, existing: Values, problems: ErrorDetail[]): void {
  for (const raw of fields) {
    if (!isObject(raw)) continue;
    const f = raw as FormField;
    if (typeof f.id !== 'string' || f.id === '') continue;
    const field = f.id;
    const constraints = Array.isArray(f.constraints) ? (f.constraints as { name?: unknown; config?: unknown }[]) : [];
    const config = (name: string) => constraints.find((c) => c.name === name)?.config;
    const has = Object.prototype.hasOwnProperty.call(submitted, field);
    const readonly = constraints.some((c) => c.name === 'readonly' && c.config !== 'false');
    const value = has ? submitted[field] : existing[field];
    if (f.required === true && !readonly && isEmpty(value)) {
      problems.push({ field, message: 'is required' });
      continue;
    }
    if (!has || submitted[field] === null) continue;
    const v = submitted[field];
    const fail = (message: string) => problems.push({ field, message });
    switch (f.type) {
      case 'string':
        if (typeof v !== 'string') {
          fail('must be text');
          break;
        }
        lengthRules(v, config, fail);
        break;
      case 'long':
      case 'integer':
      case 'short':
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
          fail('must be a whole number');
          break;
        }
        rangeRules(v, config, fail);
        break;
      case 'double':
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          fail('must be a number');
          break;
        }
        rangeRules(v, config, fail);
        break;
      case 'boolean':
        if (typeof v !== 'boolean') fail('must be true or false');
        break;
      case 'date':
        if (typeof v !== 'string' || !(C7_DATE.test(v) || !Number.isNaN(Date.parse(v)))) fail('must be a date (dd/MM/yyyy or ISO-8601)');
        break;
      case 'enum': {
        const allowed = Array.isArray(f.values) ? (f.values as { id?: unknown }[]).map((option) => option.id) : [];
        if (!allowed.includes(v)) fail(`must be one of: ${allowed.map(show).join(', ')}`);
        break;
      }
      default:
        break; // custom form field types are the modeller's business
    }
  }
}

function lengthRules(v: string, config: (name: string) => unknown, fail: (message: string) => void): void {
  const min = Number(config('minlength'));
  const max = Number(config('maxlength'));
  if (Number.isFinite(min) && config('minlength') !== undefined && v.length < min) fail(`must have at least ${min} characters`);
  else if (Number.isFinite(max) && config('maxlength') !== undefined && v.length > max) fail(`must have at most ${max} characters`);
}

function rangeRules(v: number, config: (name: string) => unknown, fail: (message: string) => void): void {
  const min = Number(config('min'));
  const max = Number(config('max'));
  if (config('min') !== undefined && Number.isFinite(min) && v < min) fail(`must be at least ${min}`);
  else if (config('max') !== undefined && Number.isFinite(max) && v > max) fail(`must be at most ${max}`);
}

// ───────────────────────────── helpers ─────────────────────────────

interface Found {
  found: boolean;
  value?: unknown;
}

function at(root: unknown, path: readonly string[]): Found {
  let current: unknown = root;
  for (const part of path) {
    if (!isObject(current) || !Object.prototype.hasOwnProperty.call(current, part)) return { found: false };
    current = current[part];
  }
  return { found: true, value: current };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asComponents(value: unknown): Component[] {
  return Array.isArray(value) ? (value.filter(isObject) as Component[]) : [];
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'string' && String(a) === b) || (typeof a === 'string' && typeof b === 'number' && a === String(b));
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
