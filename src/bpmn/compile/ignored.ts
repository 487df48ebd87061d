// Settings that mean something to Camunda's Java engine and nothing here. They are accepted so the
// model deploys unchanged, and each is named in the deployment's warnings: never silently dropped.
import type { ModdleElement } from 'bpmn-moddle';
import { attr, extension, extensions, extensionValues, type CompileContext } from './context.js';

const CAMUNDA_TRUE_FLAGS: Record<string, string> = {
  'camunda:asyncBefore': 'every command already commits its own transaction',
  'camunda:asyncAfter': 'every command already commits its own transaction',
  'camunda:async': 'every command already commits its own transaction',
};

const CAMUNDA_VALUES: Record<string, string> = {
  'camunda:jobPriority': 'jobs are not prioritised',
  'camunda:taskPriority': 'external tasks are not prioritised',
  'camunda:historyTimeToLive': 'history is kept until removed',
  'camunda:formHandlerClass': 'Java form handlers do not run here',
  'camunda:variableMappingClass': 'Java variable mappings do not run here',
  'camunda:variableMappingDelegateExpression': 'Java variable mappings do not run here',
  'camunda:errorCodeVariable': 'the error code is not copied into a variable',
  'camunda:errorMessageVariable': 'the error message is not copied into a variable',
  'camunda:escalationCodeVariable': 'the escalation code is not copied into a variable',
  'camunda:caseRef': 'CMMN cases do not run here',
  'camunda:isStartableInTasklist': 'any process may be started by its starters',
};

/** Warns about each Java-engine-only setting on `el` (a flow node, event definition or process). */
export function warnIgnored(ctx: CompileContext, el: ModdleElement, elementId: string, opts: { hasJob?: boolean } = {}): void {
  if (ctx.dialect === 'camunda') warnCamunda(ctx, el, elementId, opts.hasJob === true);
  else if (ctx.dialect === 'zeebe') warnZeebe(ctx, el, elementId);
}

function warnCamunda(ctx: CompileContext, el: ModdleElement, elementId: string, hasJob: boolean): void {
  for (const [name, why] of Object.entries(CAMUNDA_TRUE_FLAGS)) {
    if (attr(el, name) === 'true') ctx.warn(elementId, `${name} is ignored: ${why}`);
  }
  if (attr(el, 'camunda:exclusive') === 'false') ctx.warn(elementId, 'camunda:exclusive="false" is ignored: there is no job executor');
  for (const [name, why] of Object.entries(CAMUNDA_VALUES)) {
    if (attr(el, name) !== undefined) ctx.warn(elementId, `${name} is ignored: ${why}`);
  }
  for (const l of extensions(el, 'camunda:ExecutionListener')) ctx.warn(elementId, `${describeListener('camunda:executionListener', l)} is ignored: listeners are code and never run here`);
  for (const l of extensions(el, 'camunda:TaskListener')) ctx.warn(elementId, `${describeListener('camunda:taskListener', l)} is ignored: listeners are code and never run here`);
  if (!hasJob && extension(el, 'camunda:FailedJobRetryTimeCycle')) ctx.warn(elementId, 'camunda:failedJobRetryTimeCycle is ignored: the element is not a job');
  const connector = extension(el, 'camunda:Connector');
  if (connector && !hasJob) ctx.warn(elementId, `connector '${String(connector.connectorId ?? '')}' is ignored: connectors do not run here`);
  const loop = el.loopCharacteristics as ModdleElement | undefined;
  if (loop) {
    for (const [name, why] of Object.entries(CAMUNDA_TRUE_FLAGS)) {
      if (attr(loop, name) === 'true') ctx.warn(elementId, `${name} on the multi-instance is ignored: ${why}`);
    }
  }
}

function describeListener(kind: string, l: ModdleElement): string {
  const script = l.script ? `${String(l.script.scriptFormat ?? '')} script` : undefined;
  const impl = [l.class, l.delegateExpression, l.expression, script].find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
  return `${kind} (event '${String(l.event ?? '?')}'${impl !== undefined ? `, ${impl}` : ''})`;
}

const ZEEBE_IGNORED: Record<string, string> = {
  'zeebe:ExecutionListeners': 'execution listeners are not run',
  'zeebe:TaskListeners': 'task listeners are not run',
  'zeebe:JobPriorityDefinition': 'jobs are not prioritised',
  'zeebe:LinkedResources': 'linked resources are not resolved',
};

function warnZeebe(ctx: CompileContext, el: ModdleElement, elementId: string): void {
  for (const value of extensionValues(el)) {
    const why = ZEEBE_IGNORED[value.$type];
    if (why !== undefined) ctx.warn(elementId, `${value.$type.replace(/^zeebe:(\w)/, (_m, c: string) => `zeebe:${c.toLowerCase()}`)} is ignored: ${why}`);
  }
}
