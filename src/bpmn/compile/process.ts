// One executable bpmn:Process → one ProcessModel: compile every flow node scope by scope, then link
// sequence flows, boundary events and default flows by id. Graph rules live in validate.ts.
import type { ModdleElement } from 'bpmn-moddle';
import { expressionKind } from '../../expressions/index.js';
import type { FlowNode, ProcessModel, ScopeModel, SequenceFlowModel } from '../process-model.js';
import { IGNORED_BPMN_TYPES } from '../supported-elements.js';
import { attr, clip, extension, extensions, text, type CompileContext } from './context.js';
import { scriptLanguage } from './data.js';
import { warnIgnored } from './ignored.js';
import { compileNode } from './nodes.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
type DraftNode = FlowNode & { incoming: string[]; outgoing: string[]; boundaryEventIds?: string[] };
type DraftScope = Mutable<ScopeModel>;

export interface DraftProcess {
  model: ProcessModel;
  /** Ids of elements that were refused, so flows touching them are not reported twice. */
  refused: Set<string>;
}

export function compileProcess(ctx: CompileContext, proc: ModdleElement): DraftProcess {
  const processId = String(proc.id);
  const elements: Record<string, DraftNode> = {};
  const flows: Record<string, Mutable<SequenceFlowModel>> = {};
  const scopes: Record<string, DraftScope> = {};
  const refused = new Set<string>();
  const rawFlows: { el: ModdleElement; scopeId: string }[] = [];

  const walk = (container: ModdleElement, scope: DraftScope): void => {
    scopes[scope.id] = scope;
    for (const el of (container.flowElements as ModdleElement[] | undefined) ?? []) {
      if (el.$type === 'bpmn:SequenceFlow') {
        rawFlows.push({ el, scopeId: scope.id });
        continue;
      }
      if (IGNORED_BPMN_TYPES.has(el.$type)) continue;
      const node = compileNode(ctx, el, scope, proc) as DraftNode | undefined;
      if (!node) {
        if (el.id) refused.add(String(el.id));
        continue;
      }
      elements[node.id] = node;
      scope.childIds.push(node.id);
      if (node.kind === 'startEvent') {
        scope.startEventIds.push(node.id);
        if (!node.eventDefinition && scope.noneStartEventId === undefined) scope.noneStartEventId = node.id;
      }
      if (node.kind === 'subProcess' || node.kind === 'eventSubProcess') {
        const child: DraftScope = { id: node.id, kind: node.kind, parentId: scope.id, childIds: [], startEventIds: [], eventSubProcessIds: [] };
        if (node.kind === 'eventSubProcess') scope.eventSubProcessIds.push(node.id);
        walk(el, child);
        if (node.kind === 'eventSubProcess') (node as { startEventId: string }).startEventId = child.startEventIds[0] ?? '';
      }
    }
  };
  walk(proc, { id: processId, kind: 'process', childIds: [], startEventIds: [], eventSubProcessIds: [] });

  for (const { el, scopeId } of rawFlows) linkFlow(ctx, el, scopeId, processId, elements, flows, refused);
  linkBoundaryEvents(ctx, elements, refused);
  markDefaultFlows(ctx, elements, flows);
  warnIgnored(ctx, proc, processId);

  const versionTag = text(attr(proc, 'camunda:versionTag')) ?? text(extension(proc, 'zeebe:VersionTag')?.value);
  const model: ProcessModel = {
    id: processId,
    ...(text(proc.name) !== undefined && { name: text(proc.name)! }),
    dialect: ctx.dialect,
    ...(versionTag !== undefined && { versionTag }),
    elements,
    flows,
    scopes,
    starters: readStarters(ctx, proc),
  };
  return { model, refused };
}

function linkFlow(
  ctx: CompileContext,
  el: ModdleElement,
  scopeId: string,
  processId: string,
  elements: Record<string, DraftNode>,
  flows: Record<string, Mutable<SequenceFlowModel>>,
  refused: Set<string>,
): void {
  const id = text(el.id);
  if (id === undefined) return ctx.problem(undefined, `a sequence flow in '${scopeId}' has no id`);
  const sourceId = text(el.sourceRef?.id);
  const targetId = text(el.targetRef?.id);
  if (sourceId === undefined || targetId === undefined) {
    if (!ctx.brokenIds.has(id)) ctx.problem(id, `sequence flow '${id}' has no ${sourceId === undefined ? 'sourceRef' : 'targetRef'}`);
    return;
  }
  // A flow touching a refused element is kept, so its other end is not reported as unconnected
  // (the file is refused anyway, and its model never runs).
  const touchesRefused = refused.has(sourceId) || refused.has(targetId);
  for (const [end, endId] of [['source', sourceId], ['target', targetId]] as const) {
    const node = elements[endId];
    if (touchesRefused) continue;
    if (!node) {
      const ref = end === 'source' ? el.sourceRef : el.targetRef;
      return ctx.problem(id, `sequence flow '${id}' has ${end} '${endId}' (${String(ref?.$type)}), which is not a flow node of process '${processId}'`);
    }
    if (node.parentId !== scopeId) {
      return ctx.problem(id, `sequence flow '${id}' in '${scopeId}' connects to '${endId}' in '${node.parentId}': flows cannot cross subprocess boundaries`);
    }
  }
  const flow: Mutable<SequenceFlowModel> = { id, sourceId, targetId, isDefault: false };
  if (text(el.name) !== undefined) flow.name = text(el.name)!;
  const cond = el.conditionExpression as ModdleElement | undefined;
  const condition = text(cond?.body);
  if (condition !== undefined) {
    const language = text(cond?.language);
    if (language !== undefined && !/feel|juel/i.test(language)) {
      ctx.problem(id, `condition of sequence flow '${id}' is written in ${scriptLanguage(language)}: scripts are code and are never run here; use FEEL or \${}`);
    } else {
      ctx.condition(id, condition, `condition of sequence flow '${id}'`);
      flow.condition = condition;
    }
  } else if (cond?.$type === 'bpmn:FormalExpression' && text(attr(cond, 'camunda:resource')) !== undefined) {
    ctx.problem(id, `condition of sequence flow '${id}' is an external script resource: scripts are never run here`);
  }
  flows[id] = flow;
  elements[sourceId]?.outgoing.push(id);
  elements[targetId]?.incoming.push(id);
}

function linkBoundaryEvents(ctx: CompileContext, elements: Record<string, DraftNode>, refused: Set<string>): void {
  for (const node of Object.values(elements)) {
    if (node.kind !== 'boundaryEvent') continue;
    const host = elements[node.attachedTo];
    if (!host) {
      if (!refused.has(node.attachedTo)) ctx.problem(node.id, `boundary event '${node.id}' is attached to '${node.attachedTo}', which is not an activity of this process`);
      continue;
    }
    if (!host.boundaryEventIds) {
      ctx.problem(node.id, `boundary event '${node.id}' is attached to ${host.kind} '${host.id}': boundary events belong on activities`);
      continue;
    }
    if (host.parentId !== node.parentId) {
      ctx.problem(node.id, `boundary event '${node.id}' is in '${node.parentId}' but its activity '${host.id}' is in '${host.parentId}'`);
      continue;
    }
    host.boundaryEventIds.push(node.id);
  }
}

function markDefaultFlows(ctx: CompileContext, elements: Record<string, DraftNode>, flows: Record<string, Mutable<SequenceFlowModel>>): void {
  for (const node of Object.values(elements)) {
    const defaultFlow = 'defaultFlow' in node ? node.defaultFlow : undefined;
    if (defaultFlow === undefined) continue;
    const flow = flows[defaultFlow];
    if (!flow || flow.sourceId !== node.id) {
      ctx.problem(node.id, `default flow '${defaultFlow}' of '${node.id}' is not one of its outgoing sequence flows`);
      continue;
    }
    flow.isDefault = true;
    if (flow.condition !== undefined) {
      ctx.warn(flow.id, `the condition '${clip(flow.condition)}' of default flow '${flow.id}' is ignored: a default flow is taken when no other is`);
      delete flow.condition;
    }
  }
}

/** camunda:candidateStarterUsers/Groups and camunda:potentialStarter (`user(x)`, `group(y)`, bare = group). */
function readStarters(ctx: CompileContext, proc: ModdleElement): ProcessModel['starters'] {
  const users: string[] = [];
  const groups: string[] = [];
  if (ctx.dialect !== 'camunda') return { users, groups };
  const list = (value: string | undefined) => (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  users.push(...list(attr(proc, 'camunda:candidateStarterUsers')));
  groups.push(...list(attr(proc, 'camunda:candidateStarterGroups')));
  for (const starter of extensions(proc, 'camunda:PotentialStarter')) {
    for (const item of list(text(starter.resourceAssignmentExpression?.expression?.body))) {
      const m = /^(user|group)\s*\(\s*(.*?)\s*\)$/.exec(item);
      (m?.[1] === 'user' ? users : groups).push(m ? m[2]! : item);
    }
  }
  for (const name of [...users, ...groups]) {
    if (expressionKind(name) !== 'literal') ctx.warn(String(proc.id), `starter '${clip(name)}' is an expression and is read as a literal name`);
  }
  return { users, groups };
}
