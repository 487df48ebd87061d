// bpmn-moddle, one reused instance per dialect (a fresh instance costs ~3.4 ms, a reused one ~0.3 ms),
// and the translation of its warnings. bpmn-moddle is lax: it drops elements with duplicate ids and
// references it cannot resolve and only says so in a warning. Whatever it dropped from an executable
// process is a problem; what it merely noticed (an unknown attribute, a dangling reference in the
// diagram or in documentation-only parts) is a deployment warning, as Camunda ignores those too.
import { BpmnModdle, type ModdleElement, type ModdleWarning } from 'bpmn-moddle';
import { camundaDescriptor, zeebeDescriptor } from './descriptors.js';
import type { Dialect } from './process-model.js';
import type { DeploymentProblem, DeploymentWarning } from './types.js';
import type { Position, PrecheckInfo } from './xml-precheck.js';

const instances = new Map<Dialect, BpmnModdle>();

function moddleFor(dialect: Dialect): BpmnModdle {
  let moddle = instances.get(dialect);
  if (!moddle) {
    const extensions = dialect === 'zeebe' ? { zeebe: zeebeDescriptor } : dialect === 'camunda' ? { camunda: camundaDescriptor } : {};
    moddle = new BpmnModdle(extensions);
    instances.set(dialect, moddle);
  }
  return moddle;
}

export type ModdleOutcome =
  | { ok: true; definitions: ModdleElement; problems: DeploymentProblem[]; warnings: DeploymentWarning[]; brokenIds: Set<string> }
  | { ok: false; problems: DeploymentProblem[] };

/** References whose loss changes what runs; others (diagram, lanes, data, interfaces) are cosmetic. */
const EXECUTION_REFERENCES = new Set(['sourceRef', 'targetRef', 'attachedToRef', 'default', 'messageRef', 'signalRef', 'errorRef', 'escalationRef']);

export async function readWithModdle(text: string, dialect: Dialect, pre: Pick<PrecheckInfo, 'positions' | 'extensionContent'>): Promise<ModdleOutcome> {
  let result;
  try {
    result = await moddleFor(dialect).fromXML(text, 'bpmn:Definitions');
  } catch (err) {
    return { ok: false, problems: [{ message: `not a readable BPMN 2.0 model: ${(err as Error).message}` }] };
  }
  const problems: DeploymentProblem[] = [];
  const warnings: DeploymentWarning[] = [];
  // Elements whose broken references are already reported, so validation does not repeat them.
  const brokenIds = new Set<string>();
  for (const w of result.warnings) translate(w, pre, problems, warnings, brokenIds);
  return { ok: true, definitions: result.rootElement, problems, warnings, brokenIds };
}

function translate(
  w: ModdleWarning,
  { positions, extensionContent }: Pick<PrecheckInfo, 'positions' | 'extensionContent'>,
  problems: DeploymentProblem[],
  warnings: DeploymentWarning[],
  brokenIds: Set<string>,
): void {
  const el = w.element;
  const elementId = el?.id ?? nearestId(el);
  const unknownAttribute = /^unknown attribute <(.+)>$/.exec(w.message);
  if (unknownAttribute) {
    warnings.push({ elementId: elementId ?? '', message: `attribute '${unknownAttribute[1]}' is not understood and is ignored` });
    return;
  }
  const unresolved = /^unresolved reference <(.+)>$/.exec(w.message);
  if (unresolved && el) {
    const property = (w.property ?? '').replace(/^\w+:/, '');
    const message = `${el.$type} '${elementId ?? '?'}': ${property} '${unresolved[1]}' does not exist`;
    if (EXECUTION_REFERENCES.has(property) && inExecutableProcess(el)) {
      if (elementId) brokenIds.add(elementId);
      problems.push({ ...withId(elementId), message, ...first(positions, elementId) });
    } else {
      warnings.push({ elementId: elementId ?? '', message: `${message}; the reference is ignored` });
    }
    return;
  }
  const unparsable = /^unparsable content <(.+?)> detected\n\tline: (\d+)\n\tcolumn: (\d+)\n\tnested error: ([\s\S]*)$/.exec(w.message);
  if (unparsable) {
    const [, tag, line, column, nested] = unparsable as unknown as [string, string, string, string, string];
    // bpmn-moddle counts lines and columns from 0.
    const at = { line: Number(line) + 1, column: Number(column) + 1 };
    const duplicate = /^duplicate ID <(.+)>$/.exec(nested);
    if (duplicate) {
      const id = duplicate[1]!;
      problems.push({ elementId: id, message: `duplicate id '${id}' (on <${tag}>): ids must be unique`, ...(positions.get(id)?.[1] ?? at) });
      return;
    }
    const unknown = /^(?:unknown type|unrecognized element) <(.+)>$/.exec(nested);
    const owner = extensionContent.get(`${at.line}:${at.column}`);
    if (owner !== undefined) {
      warnings.push({ elementId: owner, message: `extension element <${tag.replace(/\/$/, '')}> is not understood and is ignored` });
      return;
    }
    const message = unknown ? `unknown element <${tag.replace(/\/$/, '')}>` : `unreadable element <${tag}>: ${nested}`;
    problems.push({ message, ...at });
    return;
  }
  problems.push({ ...withId(elementId), message: w.message.replace(/\s+/g, ' ') });
}

function withId(elementId: string | undefined): { elementId?: string } {
  return elementId === undefined ? {} : { elementId };
}

function first(positions: Map<string, Position[]>, id: string | undefined): Partial<Position> {
  return (id !== undefined && positions.get(id)?.[0]) || {};
}

function nearestId(el: ModdleElement | undefined): string | undefined {
  for (let e = el; e; e = e.$parent) if (e.id) return e.id;
  return undefined;
}

function inExecutableProcess(el: ModdleElement): boolean {
  for (let e: ModdleElement | undefined = el; e; e = e.$parent) {
    if (e.$type === 'bpmn:Process') return e.isExecutable !== false;
  }
  return false;
}
