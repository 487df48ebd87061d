// Event definitions: what an event waits for or throws, resolved from its message, signal, error
// or escalation root element into plain names and codes.
import type { ModdleElement } from 'bpmn-moddle';
import type { EventDefinition, TimerDefinitionType } from '../process-model.js';
import { describeUnsupported, type EventTrigger } from '../supported-elements.js';
import { attr, extension, text, type CompileContext } from './context.js';

export type EventRole = 'catch' | 'throw';

export type ReadEvent =
  | { ok: true; trigger: EventTrigger; definition?: EventDefinition; raw?: ModdleElement }
  | { ok: false };

const TRIGGER_BY_TYPE: Record<string, EventTrigger> = {
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:TerminateEventDefinition': 'terminate',
  'camunda:ErrorEventDefinition': 'error',
};

/** Reads the single event definition of `el`, checking it is one of `allowed`. */
export function readEventDefinition(
  ctx: CompileContext,
  el: ModdleElement,
  allowed: readonly EventTrigger[],
  role: EventRole,
  what: string,
): ReadEvent {
  const id = el.id as string;
  const defs = (el.eventDefinitions as ModdleElement[] | undefined) ?? [];
  if (defs.length > 1) {
    ctx.problem(id, `${el.$type} '${id}' has ${defs.length} event definitions: multiple and parallel multiple events are not supported`);
    return { ok: false };
  }
  const raw = defs[0];
  if (!raw) {
    if (allowed.includes('none')) return { ok: true, trigger: 'none' };
    ctx.problem(id, `${what} '${id}' has no event definition; it must be one of: ${allowed.join(', ')}`);
    return { ok: false };
  }
  const trigger = TRIGGER_BY_TYPE[raw.$type];
  if (trigger === undefined) {
    ctx.problem(id, describeUnsupported(raw.$type, id).replace(`'${id}'`, `on ${what} '${id}'`));
    return { ok: false };
  }
  if (!allowed.includes(trigger)) {
    ctx.problem(id, `a ${trigger} ${what} ('${id}') is not supported; ${what}s may be: ${allowed.join(', ')}`);
    return { ok: false };
  }
  const definition = compileDefinition(ctx, id, raw, trigger, role);
  return definition ? { ok: true, trigger, definition, raw } : { ok: false };
}

function compileDefinition(
  ctx: CompileContext,
  id: string,
  raw: ModdleElement,
  trigger: EventTrigger,
  role: EventRole,
): EventDefinition | undefined {
  switch (trigger) {
    case 'none':
      return undefined;
    case 'terminate':
      return { type: 'terminate' };
    case 'timer': {
      const found = (['timeDate', 'timeDuration', 'timeCycle'] as const)
        .map((t) => [t, text(raw[t]?.body)] as [TimerDefinitionType, string | undefined])
        .find(([, body]) => body !== undefined);
      if (!found) {
        ctx.problem(id, `timer event '${id}' has no timeDate, timeDuration or timeCycle`);
        return undefined;
      }
      const [timerType, body] = found as [TimerDefinitionType, string];
      ctx.timer(id, timerType, body);
      return { type: 'timer', timerType, text: body };
    }
    case 'message': {
      const message = raw.messageRef as ModdleElement | undefined;
      const name = text(message?.name);
      if (role === 'throw') {
        // Message throws are jobs (as in Zeebe); the message is documentation for the worker.
        return { type: 'message', ...(message?.id && { messageId: message.id }), name: name ?? '' };
      }
      return readMessageRef(ctx, id, message);
    }
    case 'signal': {
      const signal = raw.signalRef as ModdleElement | undefined;
      const name = text(signal?.name);
      if (!signal || name === undefined) {
        if (!ctx.brokenIds.has(id)) ctx.problem(id, signal ? `signal '${signal.id}' used by '${id}' has no name` : `signal event '${id}' has no signalRef`);
        return undefined;
      }
      ctx.expression(id, name, 'signal name');
      return { type: 'signal', signalId: signal.id, name };
    }
    case 'error': {
      const error = raw.errorRef as ModdleElement | undefined;
      const code = text(error?.errorCode);
      const message = text(attr(error, 'camunda:errorMessage'));
      if (role === 'throw' && code === undefined) {
        ctx.problem(id, error ? `error '${error.id}' thrown by '${id}' has no errorCode` : `error end event '${id}' has no errorRef`);
        return undefined;
      }
      ctx.expression(id, code, 'error code');
      return { type: 'error', ...(error?.id && { errorId: error.id }), ...(code !== undefined && { code }), ...(message !== undefined && { message }) };
    }
    case 'escalation': {
      const escalation = raw.escalationRef as ModdleElement | undefined;
      const code = text(escalation?.escalationCode);
      if (role === 'throw' && code === undefined) {
        ctx.problem(id, escalation ? `escalation '${escalation.id}' thrown by '${id}' has no escalationCode` : `escalation event '${id}' has no escalationRef`);
        return undefined;
      }
      ctx.expression(id, code, 'escalation code');
      return { type: 'escalation', ...(escalation?.id && { escalationId: escalation.id }), ...(code !== undefined && { code }) };
    }
  }
}

/** The message a catch event or receive task waits for: its name and (zeebe) correlation key. */
export function readMessageRef(ctx: CompileContext, id: string, message: ModdleElement | undefined): MessageDefinition | undefined {
  if (!message) {
    if (!ctx.brokenIds.has(id)) ctx.problem(id, `'${id}' waits for a message but has no messageRef`);
    return undefined;
  }
  const name = text(message.name);
  if (name === undefined) {
    ctx.problem(id, `message '${String(message.id)}' used by '${id}' has no name`);
    return undefined;
  }
  ctx.expression(id, name, 'message name');
  const correlationKey = ctx.dialect === 'zeebe' ? text(extension(message, 'zeebe:Subscription')?.correlationKey) : undefined;
  ctx.expression(id, correlationKey, 'correlation key');
  return { type: 'message', ...(message.id && { messageId: String(message.id) }), name, ...(correlationKey !== undefined && { correlationKey }) };
}

type MessageDefinition = Extract<EventDefinition, { type: 'message' }>;
