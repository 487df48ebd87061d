// One handler per command. Wait-key commands look their key up in `state.waits`; a key that is
// gone (or of another kind) is `stale`: the wait state this command addresses no longer exists.

import type { FlowNode } from '../bpmn/process-model.js';
import { behaviours } from './behaviours/index.js';
import type { SelfTrigger } from './behaviour.js';
import { EngineError } from './errors.js';
import { StepFailure } from './evaluate.js';
import { applyResult } from './io.js';
import type { Run } from './run.js';
import { plainVariables } from './scope.js';
import { escalationVariables } from './behaviours/call-activity.behaviour.js';
import { throwError, throwEscalation } from './throw-catch.js';
import { fireTrigger } from './triggers.js';
import type { Command, ElementInstance, Variables, WaitRef } from './types.js';
import { openJob } from './waits.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

function waitRef<K extends WaitRef['kind']>(run: Run, key: string, kinds: readonly K[], what: string): Extract<WaitRef, { kind: K }> {
  const ref = run.state.waits[key];
  if (!ref || !(kinds as readonly string[]).includes(ref.kind)) throw new EngineError('stale', `${what} '${key}' is not open in this instance`);
  return ref as Extract<WaitRef, { kind: K }>;
}

function ownerOf(run: Run, ref: WaitRef, key: string): ElementInstance {
  const ei = ref.elementInstanceId === null ? undefined : run.get(ref.elementInstanceId);
  if (!ei) throw new EngineError('stale', `the element waiting on '${key}' is gone`);
  return ei;
}

/** The element's own wait fired: its behaviour's onTrigger, or apply the variables and complete. */
function triggerSelf(run: Run, ei: ElementInstance, trigger: SelfTrigger): void {
  const node = run.node(ei.elementId);
  const onTrigger = behaviours[node.kind].onTrigger as ((run: Run, ei: ElementInstance, node: FlowNode, trigger: SelfTrigger) => void) | undefined;
  try {
    if (onTrigger) onTrigger(run, ei, node, trigger);
    else {
      applyResult(run, ei, node, trigger.variables);
      run.complete(ei);
    }
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    run.raiseIncident(ei, error.incidentType, error.message);
  }
}

export function startInstance(run: Run, command: Of<'start'>): void {
  const scope = run.model.scopes[run.model.id];
  const startId = command.startEventId ?? scope?.noneStartEventId;
  if (!startId || !scope?.startEventIds.includes(startId)) {
    throw new EngineError('unknown-start-event', command.startEventId ? `'${command.startEventId}' is not a start event of process '${run.model.id}'` : `process '${run.model.id}' has no none start event`);
  }
  const start = run.node(startId);
  run.state.variables = plainVariables(command.variables);
  if (command.initiator !== undefined && start.kind === 'startEvent' && start.initiatorVariable) run.state.variables[start.initiatorVariable] = command.initiator;
  run.record('instance.started', null, { startEventId: startId, ...(command.businessKey !== undefined ? { businessKey: command.businessKey } : {}) });
  run.enter(startId, null);
}

export function completeUserTask(run: Run, command: Of<'completeUserTask'>): void {
  const ref = waitRef(run, command.taskId, ['userTask'], 'user task');
  const ei = ownerOf(run, ref, command.taskId);
  run.consumeWait(command.taskId);
  run.record('task.completed', ei, { taskId: command.taskId, ...(command.actor !== undefined ? { actor: command.actor } : {}) });
  triggerSelf(run, ei, { key: command.taskId, ref, variables: plainVariables(command.variables) });
}

export function completeJob(run: Run, command: Of<'completeJob'>): void {
  const ref = waitRef(run, command.jobKey, ['job'], 'job');
  const ei = ownerOf(run, ref, command.jobKey);
  run.consumeWait(command.jobKey);
  run.record('job.completed', ei, { jobKey: command.jobKey });
  triggerSelf(run, ei, { key: command.jobKey, ref, variables: plainVariables(command.variables) });
}

export function throwJobError(run: Run, command: Of<'throwError'>): void {
  const ref = waitRef(run, command.jobKey, ['job'], 'job');
  const ei = ownerOf(run, ref, command.jobKey);
  run.consumeWait(command.jobKey);
  run.record('job.completed', ei, { jobKey: command.jobKey, bpmnError: command.code });
  throwError(run, ei, command.code, command.message, plainVariables(command.variables), command.jobKey);
}

export function failJob(run: Run, command: Of<'failJob'>): void {
  const ref = waitRef(run, command.jobKey, ['job'], 'job');
  const ei = ownerOf(run, ref, command.jobKey);
  run.consumeWait(command.jobKey);
  run.record('job.failed', ei, { jobKey: command.jobKey, message: command.message });
  run.raiseIncident(ei, 'job-failed', command.message, command.jobKey);
}

export function fireTimer(run: Run, command: Of<'fireTimer'>): void {
  const ref = waitRef(run, command.timerKey, ['timer'], 'timer');
  run.consumeWait(command.timerKey);
  const owner = ref.elementInstanceId === null ? null : (run.get(ref.elementInstanceId) ?? null);
  run.events.push({ type: 'timer.fired', elementId: ref.elementId, ...(owner ? { elementInstanceId: owner.id } : {}), data: { timerKey: command.timerKey, role: ref.role } });
  if (ref.role === 'self') triggerSelf(run, ownerOf(run, ref, command.timerKey), { key: command.timerKey, ref, variables: {} });
  else fireTrigger(run, ref, {});
}

export function deliver(run: Run, command: Of<'deliverSignal'> | Of<'deliverMessage'>): void {
  const kind = command.type === 'deliverSignal' ? 'signal' : 'message';
  const ref = waitRef(run, command.subscriptionKey, [kind], `${kind} subscription`);
  const variables = plainVariables(command.variables);
  const owner = ref.elementInstanceId === null ? null : (run.get(ref.elementInstanceId) ?? null);
  run.events.push({
    type: kind === 'signal' ? 'signal.received' : 'message.correlated',
    elementId: ref.elementId,
    ...(owner ? { elementInstanceId: owner.id } : {}),
    data: { subscriptionKey: command.subscriptionKey, name: ref.name, role: ref.role },
  });
  if (ref.role === 'self') {
    const ei = ownerOf(run, ref, command.subscriptionKey);
    run.closeWait(command.subscriptionKey);
    triggerSelf(run, ei, { key: command.subscriptionKey, ref, variables });
  } else {
    fireTrigger(run, ref, variables);
  }
}

export function childCompleted(run: Run, command: Of<'childCompleted'>): void {
  const ref = waitRef(run, command.childInstanceId, ['child'], 'child instance');
  const ei = ownerOf(run, ref, command.childInstanceId);
  run.consumeWait(command.childInstanceId);
  triggerSelf(run, ei, { key: command.childInstanceId, ref, variables: plainVariables(command.variables) });
}

/**
 * The called process is not deployed (Camunda 8: an incident on the call activity, not a refused
 * command): the call activity goes back to activating with an incident, like an activation that
 * failed; retrying it starts a new child once the process is deployed.
 */
export function childNotStarted(run: Run, command: Of<'childNotStarted'>): void {
  const ref = waitRef(run, command.childInstanceId, ['child'], 'child instance');
  const ei = ownerOf(run, ref, command.childInstanceId);
  run.consumeWait(command.childInstanceId);
  run.closeWaits(ei);
  ei.state = 'activating';
  run.raiseIncident(ei, 'expression', command.message);
}

/** The child keeps running (its thrower waits) until a catch here terminates the call activity and cancels it. */
export function childFailed(run: Run, command: Of<'childFailed'>): void {
  const ref = waitRef(run, command.childInstanceId, ['child'], 'child instance');
  const ei = ownerOf(run, ref, command.childInstanceId);
  if (ei.incident) throw new EngineError('stale', `call activity '${ei.elementId}' already has an incident`);
  throwError(run, ei, command.errorCode, command.message, plainVariables(command.variables));
}

/**
 * The child threw an escalation it did not catch: the call activity rethrows it. An interrupting
 * catch terminates the call activity (→ cancelChildInstance: the child, whose thrower waits for
 * that, is canceled); a non-interrupting one adds a token and the child goes on; nobody here:
 * on to this instance's parent, or only recorded at the root.
 */
export function childEscalated(run: Run, command: Of<'childEscalated'>): void {
  const ref = waitRef(run, command.childInstanceId, ['child'], 'child instance');
  const ei = ownerOf(run, ref, command.childInstanceId);
  const node = run.node(ei.elementId);
  if (node.kind !== 'callActivity') throw new EngineError('model-mismatch', `'${ei.elementId}' waits on a child but is a ${node.kind}`);
  let variables: Variables = {};
  const origin: Record<string, unknown> = { fromChild: command.childInstanceId };
  try {
    variables = escalationVariables(run, ei, node, plainVariables(command.variables));
  } catch (failure) {
    if (!(failure instanceof StepFailure)) throw failure;
    // Not an incident: a retry would re-run the call activity. The escalation still goes on, without variables.
    origin.outputMappingFailed = failure.message;
  }
  throwEscalation(run, ei, command.code, variables, origin);
}

export function cancelInstance(run: Run, command: Of<'cancel'>): void {
  if (run.state.parent && !command.byParent) throw new EngineError('not-root-instance', 'a called instance is canceled through its parent');
  for (const ei of run.childrenOf(null)) if (run.isLive(ei)) run.terminate(ei);
  run.closeWaits(null);
  run.state.joins = {};
  run.state.status = 'canceled';
  run.state.endedAt = run.nowIso;
  run.record('instance.canceled', null, command.byParent ? { byParent: true } : undefined);
  run.emit({ type: 'instanceEnded', status: 'canceled' });
}

export function setVariables(run: Run, command: Of<'setVariables'>): void {
  const variables: Variables = plainVariables(command.variables);
  if (command.elementInstanceId !== undefined) {
    const ei = run.get(command.elementInstanceId);
    if (!ei) throw new EngineError('unknown-element-instance', `element instance '${command.elementInstanceId}' is not live`);
    Object.assign((ei.variables ??= {}), variables);
    run.record('variables.updated', ei, { names: Object.keys(variables), local: true });
    return;
  }
  Object.assign(run.state.variables, variables);
  run.record('variables.updated', null, { names: Object.keys(variables) });
}

export function retryIncident(run: Run, command: Of<'retryIncident'>): void {
  const incident = run.state.incidents[command.incidentKey];
  if (!incident) throw new EngineError('unknown-incident', `incident '${command.incidentKey}' is not open`);
  const ei = run.get(incident.elementInstanceId);
  if (!ei) throw new EngineError('unknown-element-instance', `element instance '${incident.elementInstanceId}' of incident '${incident.key}' is gone`);
  run.resolveIncident(ei);
  const error = ei.error;
  delete ei.error;
  if (incident.jobKey) {
    const node = run.node(ei.elementId);
    const job = 'job' in node ? node.job : undefined;
    if (!job) throw new EngineError('model-mismatch', `'${ei.elementId}' has no job definition`);
    try {
      openJob(run, ei, job, command.retries);
    } catch (failure) {
      if (!(failure instanceof StepFailure)) throw failure;
      run.raiseIncident(ei, failure.incidentType, failure.message);
    }
    return;
  }
  if (ei.kind === 'callActivity' && error && ei.state === 'active') {
    throwError(run, ei, error.code, error.message, {});
    return;
  }
  if (ei.state === 'active') ei.state = 'activating';
  run.retry(ei);
}
