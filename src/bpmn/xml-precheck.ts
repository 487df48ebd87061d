// A streaming pass over the text before bpmn-moddle sees it. bpmn-moddle is lax and slow on hostile
// input (entities left literal, unknown elements warned about quadratically), so everything that
// can be refused cheaply is refused here: DOCTYPE/ENTITY declarations (billion laughs, XXE),
// malformed XML, too many or too deeply nested elements, a root that is not BPMN 2.0, floods of
// unknown elements. It also records where each id sits, so later problems carry line and column.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { CAMUNDA_ALIASES, KNOWN_ELEMENT_NAMES, NS } from './descriptors.js';
import type { BpmnLimits, DeploymentProblem } from './types.js';

export interface Position {
  line: number;
  column: number;
}

export interface UnknownElement extends Position {
  name: string;
  uri: string;
}

export interface PrecheckInfo {
  /** id → where it occurs (first two occurrences, enough to place a duplicate). */
  positions: Map<string, Position[]>;
  /** How often zeebe:/camunda: elements and attributes are used: picks the moddle descriptor. */
  usage: { zeebe: number; camunda: number };
  /** Activiti/Flowable namespaces used in place of camunda: (counted in usage.camunda). */
  camundaAliases: Set<string>;
  /** Namespaces declared on the root. */
  declared: Set<string>;
  /** `modeler:executionPlatform` of the root ("Camunda Cloud" / "Camunda Platform"). */
  executionPlatform?: string;
  /** Outermost elements outside extensionElements whose name their namespace does not define. */
  unknownElements: UnknownElement[];
  /** Second and later occurrences of an id already seen. */
  duplicateIds: (Position & { id: string })[];
  /** `line:column` of every element below an extensionElements → id of the element it extends.
   *  bpmn-moddle's complaints about those are about extensions we would ignore anyway. */
  extensionContent: Map<string, string>;
  elementCount: number;
}

export type PrecheckResult = { ok: true; info: PrecheckInfo } | { ok: false; problems: DeploymentProblem[] };

class Stop extends Error {}

/** The namespaces bpmn-moddle may know (the dialect's own is decided later, see dialect.ts). */
const MODDLE_NAMESPACES = new Set<string>([NS.bpmn, NS.bpmndi, NS.dc, NS.di, NS.bioc, NS.color, NS.zeebe, NS.camunda]);

export function precheckXml(text: string, limits: BpmnLimits): PrecheckResult {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const problems: DeploymentProblem[] = [];
  const info: PrecheckInfo = {
    positions: new Map(),
    usage: { zeebe: 0, camunda: 0 },
    camundaAliases: new Set(),
    declared: new Set(),
    unknownElements: [],
    duplicateIds: [],
    extensionContent: new Map(),
    elementCount: 0,
  };
  const lines = lineStarts(text);
  let depth = 0;
  // Depth at which an extensionElements (anything goes below) or an unknown element (bpmn-moddle
  // skips its subtree with one warning) was opened; 0 = not inside one.
  let skipBelow = 0;
  let tagStart: Position = { line: 1, column: 1 };
  // Nearest id at each open depth, to name the owner of extension content.
  const idStack: string[] = [];
  let extensionOwner = '';

  const fail = (message: string, at: Position = { line: parser.line, column: parser.column }): never => {
    problems.push({ message, line: at.line, column: Math.max(1, at.column) });
    throw new Stop();
  };

  parser.on('doctype', () =>
    fail('DOCTYPE and ENTITY declarations are refused (they enable entity expansion and external entity attacks)'),
  );
  parser.on('error', (err) => fail(`XML is not well-formed: ${err.message.replace(/^\d+:\d+:\s*/, '')}`));
  parser.on('opentagstart', (tag) => {
    // saxes has consumed '<', the name and the one character that ended the name.
    tagStart = positionOf(lines, parser.position - tag.name.length - 2);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth += 1;
    info.elementCount += 1;
    if (info.elementCount > limits.maxElements) fail(`the model has more than ${limits.maxElements} XML elements`, tagStart);
    if (depth > limits.maxDepth) fail(`XML elements are nested deeper than ${limits.maxDepth} levels`, tagStart);
    if (depth === 1) checkRoot(tag, info, tagStart, fail);

    countUsage(info, tag.uri);
    for (const attr of Object.values(tag.attributes)) countUsage(info, attr.uri);

    const id = tag.attributes['id']?.value;
    if (id !== undefined) {
      const at = info.positions.get(id);
      if (!at) info.positions.set(id, [tagStart]);
      else {
        if (at.length < 2) at.push(tagStart);
        if (skipBelow === 0) info.duplicateIds.push({ id, ...tagStart });
      }
    }
    idStack.push(id ?? idStack[idStack.length - 1] ?? '');

    if (skipBelow !== 0 && extensionOwner !== '') info.extensionContent.set(`${tagStart.line}:${tagStart.column}`, extensionOwner);
    if (skipBelow === 0) {
      if (tag.local === 'extensionElements' && tag.uri === NS.bpmn) {
        skipBelow = depth;
        extensionOwner = idStack[idStack.length - 2] || '(definitions)';
      } else if (depth > 1 && !isKnownElement(tag)) {
        skipBelow = depth;
        info.unknownElements.push({ name: tag.name, uri: tag.uri, ...tagStart });
      }
    }
  });
  parser.on('closetag', () => {
    if (skipBelow === depth) {
      skipBelow = 0;
      extensionOwner = '';
    }
    idStack.pop();
    depth -= 1;
  });

  try {
    parser.write(text).close();
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { ok: false, problems };
  }
  if (info.elementCount === 0) return { ok: false, problems: [{ message: 'the file contains no XML element' }] };
  return { ok: true, info };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of a character offset. */
function positionOf(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

function countUsage(info: PrecheckInfo, uri: string): void {
  if (uri === NS.zeebe) info.usage.zeebe += 1;
  else if (uri === NS.camunda) info.usage.camunda += 1;
  else if (CAMUNDA_ALIASES.has(uri)) {
    info.usage.camunda += 1;
    info.camundaAliases.add(uri);
  }
}

function isKnownElement(tag: SaxesTagNS): boolean {
  if (CAMUNDA_ALIASES.has(tag.uri)) return KNOWN_ELEMENT_NAMES.get(NS.camunda)!.has(tag.local);
  if (!MODDLE_NAMESPACES.has(tag.uri)) return false;
  return KNOWN_ELEMENT_NAMES.get(tag.uri)?.has(tag.local) ?? true;
}

function checkRoot(tag: SaxesTagNS, info: PrecheckInfo, at: Position, fail: (m: string, at: Position) => never): void {
  if (tag.local !== 'definitions' || tag.uri !== NS.bpmn) {
    const found = tag.uri ? `{${tag.uri}}${tag.local}` : tag.local;
    fail(`not a BPMN 2.0 model: the root element is ${found}, expected definitions in the namespace ${NS.bpmn}`, at);
  }
  for (const uri of Object.values(tag.ns)) info.declared.add(uri);
  for (const attr of Object.values(tag.attributes)) {
    if (attr.uri === NS.modeler && attr.local === 'executionPlatform') info.executionPlatform = attr.value;
  }
}
