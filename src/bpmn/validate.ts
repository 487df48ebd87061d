// Graph rules on a compiled process, as Camunda applies them at deploy: what could never run
// correctly is a problem; what is merely odd (unreachable nodes, unconditioned exclusive splits)
// is allowed, sometimes with a warning, because real models from Camunda Modeler must deploy.
import type { CompileContext } from './compile/context.js';
import type { FlowNode, ProcessModel } from './process-model.js';

const GATEWAYS = new Set(['exclusiveGateway', 'inclusiveGateway', 'parallelGateway', 'eventBasedGateway']);
const EVENT_GATEWAY_TARGETS = new Set(['message', 'timer', 'signal']);

export function validateProcess(ctx: CompileContext, model: ProcessModel): void {
  for (const node of Object.values(model.elements)) validateNode(ctx, model, node);
  validateScopes(ctx, model);
}

function validateNode(ctx: CompileContext, model: ProcessModel, node: FlowNode): void {
  const { id } = node;
  switch (node.kind) {
    case 'startEvent':
      if (node.incoming.length > 0) ctx.problem(id, `start event '${id}' has incoming sequence flows (${node.incoming.join(', ')})`);
      break;
    case 'endEvent':
      if (node.outgoing.length > 0) ctx.problem(id, `end event '${id}' has outgoing sequence flows (${node.outgoing.join(', ')})`);
      break;
    case 'boundaryEvent':
      if (node.incoming.length > 0) ctx.problem(id, `boundary event '${id}' has incoming sequence flows`);
      break;
    case 'eventSubProcess':
      if (node.incoming.length > 0 || node.outgoing.length > 0) ctx.problem(id, `event subprocess '${id}' must not have incoming or outgoing sequence flows`);
      break;
    default:
      break;
  }
  if (GATEWAYS.has(node.kind)) {
    if (node.outgoing.length === 0) ctx.problem(id, `gateway '${id}' has no outgoing sequence flow`);
    if (node.kind === 'eventBasedGateway') validateEventGateway(ctx, model, node);
    if (node.kind === 'parallelGateway') {
      for (const f of node.outgoing) {
        if (model.flows[f]?.condition !== undefined) ctx.warn(f, `the condition on '${f}' is ignored: parallel gateways take every outgoing flow`);
      }
    }
    if ((node.kind === 'exclusiveGateway' || node.kind === 'inclusiveGateway') && node.outgoing.length > 1) {
      for (const f of node.outgoing) {
        const flow = model.flows[f];
        if (flow && !flow.isDefault && flow.condition === undefined) {
          ctx.warn(f, `sequence flow '${f}' leaves ${node.kind} '${id}' without a condition and is not the default flow: it is always taken`);
        }
      }
    }
  }
}

function validateEventGateway(ctx: CompileContext, model: ProcessModel, node: FlowNode): void {
  for (const f of node.outgoing) {
    const target = model.elements[model.flows[f]?.targetId ?? ''];
    if (!target) continue;
    const ok =
      target.kind === 'receiveTask' ||
      (target.kind === 'intermediateCatchEvent' && EVENT_GATEWAY_TARGETS.has(target.eventDefinition.type));
    if (!ok) {
      ctx.problem(node.id, `event-based gateway '${node.id}' leads to ${target.kind} '${target.id}': it may only lead to message, timer or signal catch events and receive tasks`);
    }
  }
}

function validateScopes(ctx: CompileContext, model: ProcessModel): void {
  for (const scope of Object.values(model.scopes)) {
    const starts = scope.startEventIds.map((s) => model.elements[s]).filter((n): n is FlowNode => n !== undefined);
    const none = starts.filter((s) => s.kind === 'startEvent' && !s.eventDefinition);
    if (scope.kind === 'process') {
      if (starts.length === 0) ctx.problem(scope.id, `process '${scope.id}' has no start event`);
      if (none.length > 1) ctx.problem(none[1]!.id, `process '${scope.id}' has ${none.length} none start events (${none.map((s) => s.id).join(', ')}); at most one is allowed`);
    } else if (scope.kind === 'subProcess') {
      if (none.length !== 1) {
        ctx.problem(scope.id, `subprocess '${scope.id}' must contain exactly one none start event (it has ${none.length})`);
      }
    } else if (starts.length !== 1) {
      ctx.problem(scope.id, `event subprocess '${scope.id}' must contain exactly one start event with a trigger (it has ${starts.length})`);
    }
  }
}
