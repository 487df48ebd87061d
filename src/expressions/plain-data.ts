/**
 * Copies values into plain JSON-shaped data before they reach an evaluator, and describes values
 * in messages. Evaluators then only ever see what PostgreSQL would have stored: no functions, no
 * class instances, no prototype tricks, so a variable cannot smuggle code into an expression.
 */

const MAX_DEPTH = 64;

/**
 * JSON semantics without the string round trip: Dates become ISO strings (what they are after a
 * trip through jsonb, so results do not change when an instance is reloaded), non-finite numbers
 * become null, functions/symbols/bigints/undefined are dropped from objects and null in arrays.
 * Cycles and absurd depth become null rather than throwing, since callers must never crash on data.
 */
export function toPlainData(value: unknown): unknown {
  return copy(value, 0, new Set());
}

function copy(value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      return null; // undefined, function, symbol, bigint
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH || seen.has(value)) return null;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      // Assigning `__proto__` on a plain object would replace its prototype; no real variable
      // is called that, so dropping it is the simple safe choice.
      if (key === '__proto__') continue;
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') {
        continue;
      }
      out[key] = copy(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Copies only the named root variables (those an expression reads) out of a context. */
export function pickPlain(context: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (context === null || typeof context !== 'object') return out;
  for (const name of names) {
    if (name === '__proto__' || !Object.prototype.hasOwnProperty.call(context, name)) continue;
    const value = context[name];
    if (value === undefined) continue;
    out[name] = toPlainData(value);
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short type name for messages ("returned string, expected boolean"). */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'object';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** A value for messages: short, never the whole of a large variable. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `list of ${value.length}`;
  return describeType(value);
}
