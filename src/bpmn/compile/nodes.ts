// One bpmn-moddle flow element → one FlowNode (without its flows, which process.ts links after).
// Returns undefined when the element cannot run; the reason is already in ctx.problems.
import type { ModdleElement } from 'bpmn-moddle';
import type { EventDefinition, FlowNode, MultiInstanceSpec, ScopeModel } from '../process-model.js';
import { describeUnsupported, EVENT_SUBPROCESS_START_TRIGGERS, KIND_BY_BPMN_TYPE, SUPPORTED_ELEMENTS } from '../supported-elements.js';
import { attr, extension, text, type CompileContext } from './context.js';
import { readCalledElement, readIoMapping, readMultiInstance, readScript } from './data.js';
import { readEventDefinition, readMessageRef } from './events.js';
import { warnIgnored } from './ignored.js';
import { camundaHeaders, readImplementation, zeebeHeaders, type Implementation } from './job.js';
import { camundaForm, readUserTask, zeebeForm } from './user-task.js';

const JOB_HINT = 'a job type (zeebe:taskDefinition type, camunda:type="external" with camunda:topic, or a Camunda 7 delegate)';

export function compileNode(
  ctx: CompileContext,
  el: ModdleElement,
  scope: Pick<ScopeModel, 'id' | 'kind'>,
  process: ModdleElement,
): FlowNode | undefined {
  const id = text(el.id);
  if (id === undefined) {
    ctx.problem(undefined, `a ${el.$type} in '${scope.id}' has no id`);
    return undefined;
  }
  const isEventSubProcess = el.$type === 'bpmn:SubProcess' && el.triggeredByEvent === true;
  const kind = isEventSubProcess ? 'eventSubProcess' : KIND_BY_BPMN_TYPE[el.$type];
  if (kind === undefined) {
    ctx.problem(id, describeUnsupported(el.$type, id));
    return undefined;
  }
  const base = {
    id,
    ...(text(el.name) !== undefined && { name: text(el.name)! }),
    parentId: scope.id,
    incoming: [] as string[],
    outgoing: [] as string[],
  };
  const ioMapping = readIoMapping(ctx, el);
  if (ioMapping) Object.assign(base, { ioMapping });

  const activity = () => activityBase(ctx, el, id);
  let hasJob = false;
  const withJob = (impl: Implementation) => {
    hasJob = impl.job !== undefined;
    return { ...(impl.job && { job: impl.job }), ...(impl.script && { script: impl.script }) };
  };

  let node: FlowNode | undefined;
  switch (kind) {
    case 'startEvent': {
      const allowed =
        scope.kind === 'eventSubProcess' ? EVENT_SUBPROCESS_START_TRIGGERS : scope.kind === 'subProcess' ? (['none'] as const) : SUPPORTED_ELEMENTS.startEvent.eventDefinitions;
      const what = scope.kind === 'eventSubProcess' ? 'event subprocess start event' : scope.kind === 'subProcess' ? 'subprocess start event' : 'start event';
      const ev = readEventDefinition(ctx, el, allowed, 'catch', what);
      if (!ev.ok) return undefined;
      const form = ctx.dialect === 'camunda' ? camundaForm(el) : ctx.dialect === 'zeebe' ? zeebeForm(ctx, el, process, id) : undefined;
      const initiator = text(attr(el, 'camunda:initiator'));
      let interrupting = el.isInterrupting !== false;
      if (!interrupting && ev.trigger === 'error') {
        ctx.warn(id, 'error start events always interrupt (isInterrupting="false" is ignored)');
        interrupting = true;
      }
      node = {
        ...base,
        kind,
        ...def(ev.definition),
        interrupting,
        ...(form && { form }),
        ...(ctx.dialect === 'camunda' && initiator !== undefined && { initiatorVariable: initiator }),
      };
      break;
    }
    case 'endEvent':
    case 'intermediateThrowEvent': {
      const spec = SUPPORTED_ELEMENTS[kind];
      const what = kind === 'endEvent' ? 'end event' : 'intermediate throw event';
      const ev = readEventDefinition(ctx, el, [...spec.eventDefinitions, ...spec.eventDefinitionsWithJob], 'throw', what);
      if (!ev.ok) return undefined;
      let job = {};
      if (ev.trigger === 'message') {
        const impl = readImplementation(ctx, el, ev.raw);
        if (!impl.job) {
          ctx.problem(id, `message ${what} '${id}' needs ${JOB_HINT}: sending messages is a worker's job, as in Zeebe`);
          return undefined;
        }
        job = withJob({ job: impl.job });
      }
      if (ev.raw) warnIgnored(ctx, ev.raw, id, { hasJob });
      node = { ...base, kind, ...def(ev.definition), ...job };
      break;
    }
    case 'intermediateCatchEvent': {
      const ev = readEventDefinition(ctx, el, SUPPORTED_ELEMENTS.intermediateCatchEvent.eventDefinitions, 'catch', 'intermediate catch event');
      if (!ev.ok || !ev.definition) return undefined;
      node = { ...base, kind, eventDefinition: ev.definition };
      break;
    }
    case 'boundaryEvent': {
      const ev = readEventDefinition(ctx, el, SUPPORTED_ELEMENTS.boundaryEvent.eventDefinitions, 'catch', 'boundary event');
      if (!ev.ok || !ev.definition) return undefined;
      let cancelActivity = el.cancelActivity !== false;
      if (!cancelActivity && ev.trigger === 'error') {
        ctx.warn(id, 'error boundary events always interrupt (cancelActivity="false" is ignored)');
        cancelActivity = true;
      }
      const attachedTo = text(el.attachedToRef?.id);
      if (attachedTo === undefined) {
        if (!ctx.brokenIds.has(id)) ctx.problem(id, `boundary event '${id}' has no attachedToRef`);
        return undefined;
      }
      node = { ...base, kind, attachedTo, cancelActivity, eventDefinition: ev.definition };
      break;
    }
    case 'exclusiveGateway':
    case 'inclusiveGateway':
    case 'parallelGateway':
    case 'eventBasedGateway': {
      const defaultFlow = text(el.default?.id);
      node = { ...base, kind, ...(defaultFlow !== undefined && { defaultFlow }) };
      break;
    }
    case 'eventSubProcess':
      // startEventId is filled in once the scope's children are compiled (process.ts).
      node = { ...base, kind, startEventId: '' };
      break;
    case 'subProcess':
    case 'task':
    case 'manualTask': {
      const a = activity();
      if (!a) return undefined;
      node = { ...base, ...a, kind };
      break;
    }
    case 'callActivity': {
      const a = activity();
      const calledElement = readCalledElement(ctx, el);
      if (!a || !calledElement) return undefined;
      node = { ...base, ...a, kind, calledElement };
      break;
    }
    case 'userTask': {
      const a = activity();
      if (!a) return undefined;
      node = { ...base, ...a, kind, userTask: readUserTask(ctx, el, process) };
      break;
    }
    case 'serviceTask':
    case 'businessRuleTask': {
      const a = activity();
      if (!a) return undefined;
      if (kind === 'businessRuleTask' && callsDecision(ctx, el, id)) return undefined;
      const impl = readImplementation(ctx, el);
      if (!impl.job && !impl.script) {
        ctx.problem(id, `${kind === 'serviceTask' ? 'service task' : 'business rule task'} '${id}' has no job type: give it ${JOB_HINT}`);
        return undefined;
      }
      node = { ...base, ...a, kind, ...withJob(impl) };
      break;
    }
    case 'sendTask': {
      const a = activity();
      if (!a) return undefined;
      const impl = readImplementation(ctx, el);
      const headers = ctx.dialect === 'zeebe' ? zeebeHeaders(el) : ctx.dialect === 'camunda' ? camundaHeaders(ctx, el, id) : {};
      ctx.notificationHeaders(id, headers);
      if (!impl.job && headers['template'] === undefined) {
        ctx.problem(id, `send task '${id}' needs ${JOB_HINT}, or a 'template' header for Flowdesk to send the mail itself`);
        return undefined;
      }
      node = { ...base, ...a, kind, ...(impl.job && withJob({ job: impl.job })), headers };
      break;
    }
    case 'receiveTask': {
      const a = activity();
      const message = readMessageRef(ctx, id, el.messageRef as ModdleElement | undefined);
      if (!a || !message) return undefined;
      node = { ...base, ...a, kind, message };
      break;
    }
    case 'scriptTask': {
      const a = activity();
      if (!a) return undefined;
      const impl = ctx.dialect === 'zeebe' ? readImplementation(ctx, el) : {};
      const script = impl.job ? undefined : readScript(ctx, el);
      if (!impl.job && !script) {
        if (ctx.problems.every((p) => p.elementId !== id)) ctx.problem(id, `script task '${id}' has neither a script expression (zeebe:script, or scriptFormat "feel") nor a job type`);
        return undefined;
      }
      node = { ...base, ...a, kind, ...withJob(impl), ...(script && { script }) };
      break;
    }
  }
  warnIgnored(ctx, el, id, { hasJob });
  return node;
}

function def(definition: EventDefinition | undefined): { eventDefinition?: EventDefinition } {
  return definition ? { eventDefinition: definition } : {};
}

/** What every activity shares; undefined when its loop or compensation role cannot run. */
function activityBase(
  ctx: CompileContext,
  el: ModdleElement,
  id: string,
): { boundaryEventIds: string[]; defaultFlow?: string; multiInstance?: MultiInstanceSpec } | undefined {
  if (el.isForCompensation === true) {
    ctx.problem(id, `${el.$type} '${id}' is a compensation handler: compensation is not supported`);
    return undefined;
  }
  const loop = el.loopCharacteristics as ModdleElement | undefined;
  let multiInstance: MultiInstanceSpec | undefined;
  if (loop) {
    if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
      ctx.problem(id, describeUnsupported(loop.$type, id).replace(`'${id}'`, `on '${id}'`));
      return undefined;
    }
    multiInstance = readMultiInstance(ctx, el, loop);
  }
  const defaultFlow = text(el.default?.id);
  return { boundaryEventIds: [], ...(defaultFlow !== undefined && { defaultFlow }), ...(multiInstance && { multiInstance }) };
}

function callsDecision(ctx: CompileContext, el: ModdleElement, id: string): boolean {
  const decision = ctx.dialect === 'zeebe' ? text(extension(el, 'zeebe:CalledDecision')?.decisionId) : ctx.dialect === 'camunda' ? text(attr(el, 'camunda:decisionRef')) : undefined;
  if (decision === undefined) return false;
  ctx.problem(id, `bpmn:BusinessRuleTask '${id}' calls DMN decision '${decision}': DMN decisions are not supported; implement it as a job`);
  return true;
}
