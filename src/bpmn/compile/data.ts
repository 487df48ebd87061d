// Variables in and out of elements: io mappings, multi-instance, call activities and scripts, read
// from either dialect. Camunda 7 and 8 differ in meaning (see IoMapping), so the values are kept as
// written and the model records the dialect; only syntax is normalised here.
import type { ModdleElement } from 'bpmn-moddle';
import { expressionKind } from '../../expressions/index.js';
import type {
  CalledElementSpec,
  CallVariableMapping,
  IoMapping,
  IoParameter,
  IoValue,
  MultiInstanceSpec,
  ScriptSpec,
} from '../process-model.js';
import { attr, clip, extension, extensions, text, type CompileContext } from './context.js';

export function readIoMapping(ctx: CompileContext, el: ModdleElement): IoMapping | undefined {
  const id = el.id as string;
  if (ctx.dialect === 'zeebe') {
    const io = extension(el, 'zeebe:IoMapping');
    if (!io) return undefined;
    const read = (params: ModdleElement[] | undefined, what: string): IoParameter[] =>
      (params ?? []).flatMap((p) => {
        const target = text(p.target);
        if (target === undefined) {
          ctx.problem(id, `${what} mapping without a target`);
          return [];
        }
        const source = typeof p.source === 'string' ? p.source : '';
        ctx.expression(id, source, `${what} mapping '${target}'`);
        return [{ target, source }];
      });
    return { inputs: read(io.inputParameters, 'input'), outputs: read(io.outputParameters, 'output') };
  }
  if (ctx.dialect === 'camunda') {
    const io = extension(el, 'camunda:InputOutput');
    if (!io) return undefined;
    const read = (params: ModdleElement[] | undefined, what: string): IoParameter[] =>
      (params ?? []).flatMap((p) => {
        const target = text(p.name);
        if (target === undefined) {
          ctx.problem(id, `camunda:${what}Parameter without a name`);
          return [];
        }
        return [{ target, source: camundaValue(ctx, id, p, `${what} parameter '${target}'`) }];
      });
    return { inputs: read(io.inputParameters, 'input'), outputs: read(io.outputParameters, 'output') };
  }
  return undefined;
}

function camundaValue(ctx: CompileContext, id: string, p: ModdleElement, what: string): IoValue {
  const def = p.definition as ModdleElement | undefined;
  if (!def) {
    if (p.value === undefined) return null;
    const value = String(p.value);
    ctx.expression(id, value, what);
    return value;
  }
  switch (def.$type) {
    case 'camunda:List':
      return ((def.items as ModdleElement[] | undefined) ?? []).map((item, i) => camundaValue(ctx, id, { definition: item } as unknown as ModdleElement, `${what}[${i}]`));
    case 'camunda:Map': {
      const out: Record<string, IoValue> = {};
      for (const entry of (def.entries as ModdleElement[] | undefined) ?? []) {
        out[String(entry.key ?? '')] = camundaValue(ctx, id, entry, `${what}.${String(entry.key ?? '')}`);
      }
      return out;
    }
    case 'camunda:Value': {
      const value = def.value === undefined ? null : String(def.value);
      if (value !== null) ctx.expression(id, value, what);
      return value;
    }
    case 'camunda:Script':
      return scriptValue(ctx, id, def, what);
    default:
      ctx.problem(id, `${what}: ${def.$type} is not supported`);
      return null;
  }
}

/** A camunda:script value is code unless its format is FEEL; only FEEL runs here. */
function scriptValue(ctx: CompileContext, id: string, script: ModdleElement, what: string): IoValue {
  const format = String(script.scriptFormat ?? '');
  if (!/^feel$/i.test(format) || script.resource) {
    ctx.problem(id, `${what} ${writtenIn(format)}: scripts are code and are never run here; use an expression`);
    return null;
  }
  const expression = asFeel(String(script.value ?? ''));
  ctx.expression(id, expression, what);
  return expression;
}

function asFeel(body: string): string {
  const trimmed = body.trim();
  return trimmed.startsWith('=') ? trimmed : `=${trimmed}`;
}

export function readMultiInstance(ctx: CompileContext, el: ModdleElement, loop: ModdleElement): MultiInstanceSpec {
  const id = el.id as string;
  const sequential = loop.isSequential === true;
  const loopCardinality = text(loop.loopCardinality?.body);
  const completionCondition = text(loop.completionCondition?.body);
  let inputCollection: string | undefined;
  let inputElement: string | undefined;
  let outputCollection: string | undefined;
  let outputElement: string | undefined;
  if (ctx.dialect === 'zeebe') {
    const z = extension(loop, 'zeebe:LoopCharacteristics');
    // Zeebe reads inputCollection as FEEL whether or not the modeller wrote the '='.
    inputCollection = text(z?.inputCollection);
    if (inputCollection !== undefined && expressionKind(inputCollection) === 'literal') inputCollection = `=${inputCollection}`;
    inputElement = text(z?.inputElement);
    outputCollection = text(z?.outputCollection);
    outputElement = text(z?.outputElement);
  } else if (ctx.dialect === 'camunda') {
    // A bare camunda:collection names a variable; say so as an expression so both dialects read alike.
    const collection = text(attr(loop, 'camunda:collection'));
    inputCollection = collection !== undefined && expressionKind(collection) === 'literal' ? `\${${collection}}` : collection;
    inputElement = text(attr(loop, 'camunda:elementVariable'));
  }
  if (inputCollection === undefined && loopCardinality === undefined) {
    ctx.problem(id, `multi-instance '${id}' has neither an input collection nor a loop cardinality`);
  }
  ctx.expression(id, inputCollection, 'multi-instance input collection');
  ctx.expression(id, outputElement, 'multi-instance output element');
  ctx.expression(id, loopCardinality, 'loop cardinality');
  if (completionCondition !== undefined) ctx.condition(id, completionCondition, 'completion condition');
  return {
    sequential,
    ...(inputCollection !== undefined && { inputCollection }),
    ...(inputElement !== undefined && { inputElement }),
    ...(outputCollection !== undefined && { outputCollection }),
    ...(outputElement !== undefined && { outputElement }),
    ...(loopCardinality !== undefined && { loopCardinality }),
    ...(completionCondition !== undefined && { completionCondition }),
  };
}

export function readCalledElement(ctx: CompileContext, el: ModdleElement): CalledElementSpec | undefined {
  const id = el.id as string;
  if (ctx.dialect === 'zeebe') {
    const called = extension(el, 'zeebe:CalledElement');
    const processId = text(called?.processId) ?? text(called?.processIdExpression) ?? text(el.calledElement);
    if (processId === undefined) {
      ctx.problem(id, `call activity '${id}' names no process (zeebe:calledElement processId)`);
      return undefined;
    }
    ctx.expression(id, processId, 'called process id');
    const bindingType = text(called?.bindingType);
    const versionTag = text(called?.versionTag);
    return {
      processId,
      binding: bindingType === 'deployment' ? 'deployment' : bindingType === 'versionTag' ? 'versionTag' : 'latest',
      ...(versionTag !== undefined && { versionTag }),
      propagateAllParentVariables: called?.propagateAllParentVariables !== false,
      propagateAllChildVariables: called?.propagateAllChildVariables !== false,
      inMappings: [],
      outMappings: [],
    };
  }
  const processId = text(el.calledElement);
  if (processId === undefined) {
    ctx.problem(id, `call activity '${id}' names no process (calledElement)`);
    return undefined;
  }
  ctx.expression(id, processId, 'called process id');
  const binding = text(attr(el, 'camunda:calledElementBinding')) ?? 'latest';
  if (!['latest', 'deployment', 'version', 'versionTag'].includes(binding)) {
    ctx.problem(id, `camunda:calledElementBinding '${clip(binding)}' is not latest, deployment, version or versionTag`);
  }
  const version = text(attr(el, 'camunda:calledElementVersion'));
  const versionTag = text(attr(el, 'camunda:calledElementVersionTag'));
  ctx.expression(id, version, 'called element version');
  const inMappings = callMappings(ctx, id, extensions(el, 'camunda:In'), 'camunda:in');
  const outMappings = callMappings(ctx, id, extensions(el, 'camunda:Out'), 'camunda:out');
  return {
    processId,
    binding: binding as CalledElementSpec['binding'],
    ...(version !== undefined && { version }),
    ...(versionTag !== undefined && { versionTag }),
    propagateAllParentVariables: inMappings.some((m) => m.kind === 'all'),
    propagateAllChildVariables: outMappings.some((m) => m.kind === 'all'),
    inMappings,
    outMappings,
  };
}

const PARENT_BUSINESS_KEY = /^\s*[$#]\{\s*execution\.(processBusinessKey|getProcessBusinessKey\(\s*\))\s*\}\s*$/;

function callMappings(ctx: CompileContext, id: string, bindings: ModdleElement[], what: string): CallVariableMapping[] {
  return bindings.flatMap((b): CallVariableMapping[] => {
    const local = b.local === true;
    const target = text(b.target);
    if (text(b.businessKey) !== undefined) {
      if (PARENT_BUSINESS_KEY.test(b.businessKey)) return [{ kind: 'inheritBusinessKey' }];
      ctx.expression(id, b.businessKey, `${what} businessKey`);
      return [{ kind: 'businessKey', expression: text(b.businessKey)! }];
    }
    if (b.variables === 'all') return [{ kind: 'all', local }];
    const source = text(b.source);
    const sourceExpression = text(b.sourceExpression);
    if (source !== undefined) return [{ kind: 'variable', source, target: target ?? source, local }];
    if (sourceExpression !== undefined && target !== undefined) {
      ctx.expression(id, sourceExpression, `${what} sourceExpression`);
      return [{ kind: 'expression', expression: sourceExpression, target, local }];
    }
    ctx.problem(id, `${what} needs source, sourceExpression with target, businessKey or variables="all"`);
    return [];
  });
}

/**
 * A script task's script: `zeebe:script`, or a Camunda 7 / plain BPMN script whose format is FEEL
 * (or JUEL, which is our `${}` subset). Anything else is code, which never runs here.
 */
export function readScript(ctx: CompileContext, el: ModdleElement): ScriptSpec | undefined {
  const id = el.id as string;
  const zeebe = extension(el, 'zeebe:Script');
  if (ctx.dialect === 'zeebe' && zeebe) {
    const expression = text(zeebe.expression);
    const resultVariable = text(zeebe.resultVariable);
    if (expression === undefined) {
      ctx.problem(id, `script task '${id}' has a zeebe:script without an expression`);
      return undefined;
    }
    ctx.expression(id, expression, 'script expression');
    return { expression, ...(resultVariable !== undefined && { resultVariable }) };
  }
  const format = text(el.scriptFormat) ?? '';
  const body = text(el.script);
  if (body === undefined && format === '') return undefined;
  const resultVariable = text(attr(el, 'camunda:resultVariable'));
  if (text(attr(el, 'camunda:resource')) !== undefined || !/^(feel|juel)$/i.test(format) || body === undefined) {
    ctx.problem(
      id,
      `bpmn:ScriptTask '${id}' ${writtenIn(format)}: scripts are code and are never run here; ` +
        `use scriptFormat "feel" or make it a service task with a job type`,
    );
    return undefined;
  }
  const expression = /^feel$/i.test(format) ? asFeel(body) : body;
  ctx.expression(id, expression, 'script');
  return { expression, ...(resultVariable !== undefined && { resultVariable }) };
}

function writtenIn(format: string): string {
  return format === '' ? 'is a script without a scriptFormat' : `is written in ${scriptLanguage(format)}`;
}

/** `http://www.java.com/java` → `java`: jBPM and others name languages by URI. */
export function scriptLanguage(format: string): string {
  const last = /^[a-z]+:\/\/.*\/([^/]+)\/?$/i.exec(format)?.[1];
  return (last ?? format).toLowerCase();
}
