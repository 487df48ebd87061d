// What every compile step shares: the dialect, where ids sit in the file, and the problem and
// warning lists (all problems are collected, never thrown, so a modeller sees them all at once).
import type { ModdleElement } from 'bpmn-moddle';
import { compileExpression, expressionKind, parseIsoDuration, parseTimer } from '../../expressions/index.js';
import type { Dialect, TimerDefinitionType } from '../process-model.js';
import type { DeploymentProblem, DeploymentWarning } from '../types.js';
import type { Position } from '../xml-precheck.js';

export class CompileContext {
  readonly problems: DeploymentProblem[] = [];
  readonly warnings: DeploymentWarning[] = [];

  constructor(
    readonly dialect: Dialect,
    private readonly positions: Map<string, Position[]>,
    /** Elements whose broken references bpmn-moddle's warnings already reported. */
    readonly brokenIds: ReadonlySet<string>,
  ) {}

  problem(elementId: string | undefined, message: string): void {
    const at = elementId !== undefined ? this.positions.get(elementId)?.[0] : undefined;
    this.problems.push({ ...(elementId !== undefined && { elementId }), ...at, message });
  }

  warn(elementId: string, message: string): void {
    this.warnings.push({ elementId, message });
  }

  /** Compiles an expression (FEEL or `${}`) at deploy; literals need no compiling. */
  expression(elementId: string, text: string | undefined, what: string): void {
    if (text === undefined || expressionKind(text) === 'literal') return;
    const compiled = compileExpression(text);
    if (compiled.ok) return;
    const [first, ...rest] = compiled.problems;
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
    this.problem(elementId, `${what} '${clip(text)}' is not a valid expression: ${first?.message ?? 'it does not parse'}${more}`);
  }

  /** A sequence-flow or completion condition must be an expression; a bare text is never true or false. */
  condition(elementId: string, text: string, what: string): void {
    if (expressionKind(text) === 'literal') {
      this.problem(elementId, `${what} '${clip(text)}' is not an expression: write FEEL as '=${clip(text)}' or Camunda 7 style as '\${${clip(text)}}'`);
      return;
    }
    this.expression(elementId, text, what);
  }

  /** The notification headers of API.md, checked at deploy so a typo is not found by a late mail. */
  notificationHeaders(elementId: string, headers: Readonly<Record<string, string>>): void {
    for (const key of ['to', 'cc']) this.expression(elementId, headers[key], `header '${key}'`);
    for (const key of ['remindAfter', 'remindEvery', 'escalateAfter']) {
      const value = headers[key];
      if (value === undefined) continue;
      if (expressionKind(value) !== 'literal') this.expression(elementId, value, `header '${key}'`);
      else if (parseIsoDuration(value) === null) this.problem(elementId, `header '${key}' value '${clip(value)}' is not an ISO-8601 duration (e.g. PT4H)`);
    }
    if (headers['escalateAfter'] !== undefined && headers['escalateTo'] === undefined) {
      this.problem(elementId, `header 'escalateAfter' needs an 'escalateTo' group`);
    }
  }

  timer(elementId: string, type: TimerDefinitionType, text: string): void {
    if (expressionKind(text) !== 'literal') return this.expression(elementId, text, `timer ${type}`);
    const parsed = parseTimer(type, text.trim());
    if (!parsed.ok) this.problem(elementId, `timer ${type} '${clip(text)}' does not parse: ${parsed.message}`);
  }
}

export function clip(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * An extension attribute as written in the XML: moddle's `get` would also return descriptor
 * defaults (camunda:isStartableInTasklist is "true" everywhere), which must not count as set.
 */
export function attr(el: ModdleElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  const local = name.slice(name.indexOf(':') + 1);
  const own = Object.prototype.hasOwnProperty;
  const value: unknown = own.call(el, local) ? el[local] : own.call(el, name) ? el[name] : el.$attrs?.[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

/** A non-empty trimmed string, or undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function extensionValues(el: ModdleElement | undefined): ModdleElement[] {
  return (el?.extensionElements?.values as ModdleElement[] | undefined) ?? [];
}

export function extension(el: ModdleElement | undefined, type: string): ModdleElement | undefined {
  return extensionValues(el).find((v) => v.$type === type);
}

export function extensions(el: ModdleElement | undefined, type: string): ModdleElement[] {
  return extensionValues(el).filter((v) => v.$type === type);
}
