// The whole deploy-time pipeline for one file, in-process: decode → safe pre-check → bpmn-moddle
// (descriptor per dialect) → compile each executable process → graph validation. Never throws:
// every failure, expected or not, is a problem in the result. Call it directly in tests and in the
// parse worker; services use BpmnParserPool so a hostile file never blocks the event loop.
import type { ModdleElement } from 'bpmn-moddle';
import { CompileContext } from './compile/context.js';
import { compileProcess } from './compile/process.js';
import { blankXmlDeclaration, decodeXml } from './decode.js';
import { aliasCamundaNamespaces, aliasWarning, chooseDialect } from './dialect.js';
import { readWithModdle } from './moddle.js';
import type { ProcessModel } from './process-model.js';
import { DEFAULT_LIMITS, type BpmnLimits, type BpmnParseResult, type DeploymentProblem, type DeploymentWarning } from './types.js';
import { validateProcess } from './validate.js';
import { xmlHash } from './xml-hash.js';
import { precheckXml } from './xml-precheck.js';

export async function parseBpmn(xml: string | Uint8Array, limits?: Partial<BpmnLimits>): Promise<BpmnParseResult> {
  const lim: BpmnLimits = { ...DEFAULT_LIMITS, ...limits };
  try {
    return await parse(xml, lim);
  } catch (err) {
    return { ok: false, problems: [{ message: `the model could not be read: ${(err as Error)?.message ?? String(err)}` }] };
  }
}

async function parse(xml: string | Uint8Array, lim: BpmnLimits): Promise<BpmnParseResult> {
  const size = typeof xml === 'string' ? Buffer.byteLength(xml, 'utf8') : xml.byteLength;
  if (size > lim.maxBytes) return refuse([{ message: `the file has ${size} bytes; the limit is ${lim.maxBytes}` }], lim);

  const decoded = decodeXml(xml);
  if (!decoded.ok) return refuse([{ message: decoded.message }], lim);
  const text = decoded.text;

  const pre = precheckXml(text, lim);
  if (!pre.ok) return refuse(pre.problems, lim);
  const { info } = pre;
  const suspects = info.unknownElements.length + info.duplicateIds.length;
  if (suspects > lim.maxElementWarnings) {
    const shown: DeploymentProblem[] = [
      ...info.unknownElements.slice(0, 10).map((u) => ({ line: u.line, column: u.column, message: `unknown element <${u.name}>` })),
      ...info.duplicateIds.slice(0, 10).map((d) => ({ elementId: d.id, line: d.line, column: d.column, message: `duplicate id '${d.id}'` })),
    ];
    const counts = [
      info.unknownElements.length > 0 && `${info.unknownElements.length} elements that are not BPMN 2.0 outside extensionElements`,
      info.duplicateIds.length > 0 && `${info.duplicateIds.length} duplicate ids`,
    ].filter(Boolean);
    return refuse([{ message: `the model has ${counts.join(' and ')} (more than ${lim.maxElementWarnings}); it is refused unread` }, ...shown], lim);
  }

  const { dialect, warning } = chooseDialect(info);
  const aliases = dialect === 'camunda' ? info.camundaAliases : new Set<string>();
  const read = await readWithModdle(aliasCamundaNamespaces(blankXmlDeclaration(text), aliases), dialect, info);
  if (!read.ok) return refuse(read.problems, lim);
  const definitions = read.definitions;
  const ctx = new CompileContext(dialect, info.positions, read.brokenIds);
  for (const w of [warning, aliasWarning(aliases)]) if (w) ctx.warn(String(definitions.id ?? ''), w);

  const processes = ((definitions.rootElements as ModdleElement[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  // Camunda 7 deploys a process without isExecutable as executable; only an explicit false opts out.
  const executable = processes.filter((p) => p.isExecutable !== false);
  const problems: DeploymentProblem[] = [...read.problems];
  if (processes.length === 0) problems.push({ message: 'the file contains no process' });
  else if (executable.length === 0) {
    problems.push({ message: `no executable process: every process is marked isExecutable="false" (${processes.map((p) => `'${String(p.id)}'`).join(', ')})` });
  }

  const models: ProcessModel[] = [];
  for (const proc of executable) {
    if (!proc.id) {
      ctx.problem(undefined, 'an executable process has no id');
      continue;
    }
    const { model } = compileProcess(ctx, proc);
    validateProcess(ctx, model);
    models.push(model);
  }
  problems.push(...ctx.problems);
  if (problems.length > 0) return refuse(problems, lim);

  return {
    ok: true,
    processes: models.map(finish),
    warnings: dedupe([...read.warnings, ...ctx.warnings]),
    xmlHash: xmlHash(text),
  };
}

function refuse(problems: DeploymentProblem[], lim: BpmnLimits): BpmnParseResult {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.elementId ?? ''}\u0000${p.line ?? ''}:${p.column ?? ''}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length <= lim.maxProblems) return { ok: false, problems: unique };
  const shown = unique.slice(0, lim.maxProblems);
  shown.push({ message: `… and ${unique.length - lim.maxProblems} more problems` });
  return { ok: false, problems: shown };
}

function dedupe(warnings: DeploymentWarning[]): DeploymentWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.elementId}\u0000${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Round-trips through JSON so the model is provably plain data (no undefined, no prototypes), then freezes it. */
function finish(model: ProcessModel): ProcessModel {
  return deepFreeze(JSON.parse(JSON.stringify(model)) as ProcessModel);
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
