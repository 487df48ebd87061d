import { describeType, describeValue, isPlainObject } from '../plain-data.js';
import { BinaryOperator, FORBIDDEN_PROPERTIES, JuelNode } from './parser.js';

/**
 * Tree-walking evaluator following the Unified EL coercion rules Camunda 7 applies (JSR-245 §1.8
 * onwards), so a migrated condition decides the same way: null is 0 in arithmetic and false in
 * logic, a number compared with a string compares numerically, `'5' == 5` is true, `+` never
 * concatenates. Where Java would throw (ELException, PropertyNotFoundException) this throws
 * JuelEvaluationError, which the caller turns into a failed result and so into an incident.
 * Property access reads only own enumerable properties of plain objects and arrays.
 */
export class JuelEvaluationError extends Error {}

type Context = Readonly<Record<string, unknown>>;

export function evaluateJuel(node: JuelNode, context: Context): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'identifier':
      if (!Object.prototype.hasOwnProperty.call(context, node.name)) throw new JuelEvaluationError(`unknown variable '${node.name}'`);
      return context[node.name] ?? null;
    case 'getVariable':
      return Object.prototype.hasOwnProperty.call(context, node.name) ? (context[node.name] ?? null) : null;
    case 'member':
      return readProperty(evaluateJuel(node.object, context), evaluateJuel(node.property, context));
    case 'unary':
      return unary(node.operator, evaluateJuel(node.operand, context));
    case 'binary':
      return binary(node.operator, node.left, node.right, context);
    case 'conditional':
      return toBoolean(evaluateJuel(node.test, context)) ? evaluateJuel(node.consequent, context) : evaluateJuel(node.alternate, context);
  }
}

/** EL: a property of null is null; a missing map key or list index is null, not an error. */
function readProperty(base: unknown, key: unknown): unknown {
  if (base === null || base === undefined) return null;
  if (Array.isArray(base)) {
    const index = typeof key === 'number' ? key : typeof key === 'string' && /^-?\d+$/.test(key.trim()) ? Number(key) : NaN;
    if (!Number.isInteger(index)) throw new JuelEvaluationError(`cannot read property ${describeValue(key)} of a list (use a numeric index)`);
    return index >= 0 && index < base.length ? (base[index] ?? null) : null;
  }
  if (isPlainObject(base)) {
    const name = typeof key === 'string' ? key : typeof key === 'number' || typeof key === 'boolean' ? String(key) : null;
    if (name === null) throw new JuelEvaluationError(`cannot use ${describeType(key)} as a property name`);
    if (FORBIDDEN_PROPERTIES.has(name)) throw new JuelEvaluationError(`access to '${name}' is not allowed`);
    if (!Object.prototype.propertyIsEnumerable.call(base, name)) return null;
    return base[name] ?? null;
  }
  throw new JuelEvaluationError(`cannot read property ${describeValue(key)} of ${describeType(base)}`);
}

function unary(operator: '-' | 'not' | 'empty', value: unknown): unknown {
  switch (operator) {
    case '-':
      return -toNumber(value);
    case 'not':
      return !toBoolean(value);
    case 'empty':
      return isEmpty(value);
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

function binary(operator: BinaryOperator, leftNode: JuelNode, rightNode: JuelNode, context: Context): unknown {
  // Short-circuit as EL does, so `x != null && x.y > 1` is safe.
  if (operator === 'and') return toBoolean(evaluateJuel(leftNode, context)) && toBoolean(evaluateJuel(rightNode, context));
  if (operator === 'or') return toBoolean(evaluateJuel(leftNode, context)) || toBoolean(evaluateJuel(rightNode, context));
  const left = evaluateJuel(leftNode, context);
  const right = evaluateJuel(rightNode, context);
  switch (operator) {
    case '==':
      return equals(left, right);
    case '!=':
      return !equals(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(operator, left, right);
    default:
      return arithmetic(operator, left, right);
  }
}

function arithmetic(operator: '+' | '-' | '*' | '/' | '%', leftValue: unknown, rightValue: unknown): number {
  const left = toNumber(leftValue);
  const right = toNumber(rightValue);
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
    case '%':
      // Java doubles would give Infinity/NaN, which no variable store can hold; fail loudly instead.
      if (right === 0) throw new JuelEvaluationError('division by zero');
      return operator === '/' ? left / right : left % right;
  }
}

/** EL A==B: null only equals null; a number on either side compares numerically, then booleans, then strings. */
export function equals(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (left === null || left === undefined || right === null || right === undefined) return (left ?? null) === (right ?? null);
  if (typeof left === 'number' || typeof right === 'number') return toNumber(left) === toNumber(right);
  if (typeof left === 'boolean' || typeof right === 'boolean') return toBoolean(left) === toBoolean(right);
  if (typeof left === 'string' || typeof right === 'string') return toText(left) === toText(right);
  return deepEqual(left, right);
}

function compare(operator: '<' | '>' | '<=' | '>=', left: unknown, right: unknown): boolean {
  if (left === right && left !== undefined) return operator === '<=' || operator === '>=';
  if (left === null || left === undefined || right === null || right === undefined) return false;
  let order: number;
  if (typeof left === 'number' || typeof right === 'number') {
    order = toNumber(left) - toNumber(right);
  } else if (typeof left === 'string' && typeof right === 'string') {
    order = left < right ? -1 : left > right ? 1 : 0;
  } else {
    throw new JuelEvaluationError(`cannot compare ${describeType(left)} with ${describeType(right)}`);
  }
  switch (operator) {
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

/** EL coercion to number: null and '' are 0; other strings must be numeric. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const number = Number(trimmed);
    if (trimmed !== '' && Number.isFinite(number) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return number;
  }
  throw new JuelEvaluationError(`cannot convert ${describeValue(value)} to a number`);
}

/** EL coercion to boolean: null and '' are false, a string is true only when it reads "true". */
export function toBoolean(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  throw new JuelEvaluationError(`cannot convert ${describeValue(value)} to a boolean`);
}

/** EL coercion to string, used for template parts: null is '', data structures are JSON. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => deepEqual(item, right[index]));
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.prototype.propertyIsEnumerable.call(right, key) && deepEqual(left[key], right[key]))
    );
  }
  return false;
}
