// Jobs: work that leaves Flowdesk for a worker, read from either dialect. Camunda 7 models keep
// running when their Java code becomes a worker: a delegate class, bean or expression names the
// job type (the queue) and the deployment says so in a warning.
import type { ModdleElement } from 'bpmn-moddle';
import { expressionKind } from '../../expressions/index.js';
import { queueNameProblem } from '../../jobs/job-protocol.js';
import type { JobSource, JobSpec, ScriptSpec } from '../process-model.js';
import { attr, clip, extension, extensions, text, type CompileContext } from './context.js';

export const DEFAULT_RETRIES = 3;

export interface Implementation {
  job?: JobSpec;
  /** Camunda 7 `camunda:expression` with a plain value: evaluated in place, no worker needed. */
  script?: ScriptSpec;
}

/**
 * Reads the job of a task-like element. `el` carries the zeebe task definition (and, in Camunda 7,
 * the delegate attributes, except on message events where `delegateHolder` is the event definition).
 */
export function readImplementation(ctx: CompileContext, el: ModdleElement, delegateHolder: ModdleElement = el): Implementation {
  const id = el.id as string;
  if (ctx.dialect === 'zeebe') return readZeebeJob(ctx, el, id);
  if (ctx.dialect === 'camunda') return readCamundaJob(ctx, el, delegateHolder, id);
  return {};
}

export function zeebeHeaders(el: ModdleElement): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of extension(el, 'zeebe:TaskHeaders')?.values ?? []) {
    const key = text(h.key);
    if (key !== undefined) headers[key] = h.value ?? '';
  }
  return headers;
}

/** camunda:properties, and the string values of camunda:field (Java field injection, handed to the worker). */
export function camundaHeaders(ctx: CompileContext, el: ModdleElement, id: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const props of extensions(el, 'camunda:Properties')) {
    for (const p of props.values ?? []) {
      const name = text(p.name);
      if (name !== undefined) headers[name] = p.value ?? '';
    }
  }
  for (const field of extensions(el, 'camunda:Field')) {
    const name = text(field.name);
    const value = field.stringValue ?? field.string;
    if (name === undefined) continue;
    if (value !== undefined) headers[name] = String(value);
    else ctx.warn(id, `camunda:field '${name}' is an expression and is not passed to the worker`);
  }
  return headers;
}

function readZeebeJob(ctx: CompileContext, el: ModdleElement, id: string): Implementation {
  const def = extension(el, 'zeebe:TaskDefinition');
  const type = text(def?.type);
  if (!def || type === undefined) return {};
  const retriesText = text(def.retries);
  const job: JobSpec = {
    ...jobType(ctx, id, type),
    ...retries(ctx, id, retriesText),
    headers: zeebeHeaders(el),
    source: 'zeebe:taskDefinition',
  };
  return { job };
}

/**
 * A literal job type naming one of Flowdesk's own queues is refused. One with `:` (Camunda 8
 * connector types such as `io.camunda:http-json:1`) cannot be a BullMQ queue either, but refusing it
 * would refuse every connector model: it deploys with a warning, and its tasks raise an incident.
 */
function checkQueueName(ctx: CompileContext, id: string, type: string): void {
  const problem = queueNameProblem(type);
  if (problem === null) return;
  if (type.includes(':')) ctx.warn(id, `${problem}: the task will fail with an incident until it gets another job type`);
  else ctx.problem(id, problem);
}

function jobType(ctx: CompileContext, id: string, type: string): Pick<JobSpec, 'type' | 'typeExpression'> {
  if (expressionKind(type) === 'literal') {
    checkQueueName(ctx, id, type);
    return { type };
  }
  ctx.expression(id, type, 'job type');
  return { type: '', typeExpression: type };
}

function retries(ctx: CompileContext, id: string, retriesText: string | undefined): Pick<JobSpec, 'retries' | 'retriesExpression'> {
  if (retriesText === undefined) return { retries: DEFAULT_RETRIES };
  if (expressionKind(retriesText) !== 'literal') {
    ctx.expression(id, retriesText, 'job retries');
    return { retries: DEFAULT_RETRIES, retriesExpression: retriesText };
  }
  const n = Number(retriesText);
  if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
    ctx.problem(id, `job retries '${clip(retriesText)}' is not a positive whole number (at most 2147483647)`);
    return { retries: DEFAULT_RETRIES };
  }
  return { retries: n };
}

const PLAIN_VALUE = /^\s*[$#]\{\s*(true|false|null|-?\d+(\.\d+)?|'[^']*'|"[^"]*")\s*\}\s*$/;
const BEAN_NAME = /^\s*[$#]\{\s*([A-Za-z_$][\w$]*)\s*\}\s*$/;

function readCamundaJob(ctx: CompileContext, el: ModdleElement, holder: ModdleElement, id: string): Implementation {
  const topic = text(attr(holder, 'camunda:topic'));
  const external = attr(holder, 'camunda:type') === 'external';
  const className = text(attr(holder, 'camunda:class'));
  const delegate = text(attr(holder, 'camunda:delegateExpression'));
  const expression = text(attr(holder, 'camunda:expression'));
  const connector = text((extension(holder, 'camunda:Connector') ?? extension(el, 'camunda:Connector'))?.connectorId);
  const resultVariable = text(attr(holder, 'camunda:resultVariable'));

  let type: string | undefined;
  let source: JobSource | undefined;
  let typeExpression: string | undefined;
  if (external) {
    if (topic === undefined) {
      ctx.problem(id, `external task '${id}' has no camunda:topic`);
      return {};
    }
    source = 'camunda:external';
    if (expressionKind(topic) === 'literal') {
      type = topic;
      checkQueueName(ctx, id, topic);
    }
    else {
      ctx.expression(id, topic, 'camunda:topic');
      typeExpression = topic;
      type = '';
    }
  } else if (className !== undefined) {
    [type, source] = [className, 'camunda:class'];
    ctx.warn(id, `Java class '${className}' is not run here: it becomes job type '${className}' for a worker`);
  } else if (delegate !== undefined) {
    type = BEAN_NAME.exec(delegate)?.[1] ?? delegate;
    source = 'camunda:delegateExpression';
    ctx.warn(id, `delegate expression '${clip(delegate)}' is not run here: it becomes job type '${type}' for a worker`);
  } else if (expression !== undefined) {
    if (PLAIN_VALUE.test(expression) || expressionKind(expression) === 'literal') {
      ctx.expression(id, expression, 'camunda:expression');
      return { script: { expression, ...(resultVariable && { resultVariable }) } };
    }
    [type, source] = [expression, 'camunda:expression'];
    ctx.warn(id, `expression '${clip(expression)}' calls code, which is not run here: it becomes job type '${clip(expression)}' for a worker`);
  } else if (connector !== undefined) {
    [type, source] = [connector, 'camunda:connector'];
    ctx.warn(id, `connector '${connector}' is not run here: it becomes job type '${connector}' for a worker (its input/output is ignored)`);
  }
  if (type === undefined || source === undefined) return {};

  const job: JobSpec = {
    type,
    ...(typeExpression !== undefined && { typeExpression }),
    retries: camundaRetries(ctx, el, id),
    headers: holder === el ? camundaHeaders(ctx, el, id) : { ...camundaHeaders(ctx, el, id), ...camundaHeaders(ctx, holder, id) },
    source,
    ...(resultVariable !== undefined && source === 'camunda:expression' && { resultVariable }),
  };
  return { job };
}

/** camunda:failedJobRetryTimeCycle `R5/PT10M` means five tries; its interval gives way to BullMQ's backoff. */
function camundaRetries(ctx: CompileContext, el: ModdleElement, id: string): number {
  const cycle = text(extension(el, 'camunda:FailedJobRetryTimeCycle')?.body);
  if (cycle === undefined) return DEFAULT_RETRIES;
  const tries = /^R(\d+)\//.exec(cycle);
  ctx.warn(id, `camunda:failedJobRetryTimeCycle '${clip(cycle)}': ${tries ? `${tries[1]} tries are kept, the interval is` : 'it is'} ignored (retries use exponential backoff)`);
  return tries ? Math.max(1, Number(tries[1])) : DEFAULT_RETRIES;
}
