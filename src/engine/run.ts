// One execution of one command: the mutable working copy of the state, the effects and events
// produced so far, and the agenda. The agenda is an explicit FIFO queue of (activate | complete)
// work items; behaviours push work, never call each other, so a synchronous chain of any length
// runs in constant stack depth.

import type { ActivityNode } from './nodes.js';
import type { FlowNode, ProcessModel } from '../bpmn/process-model.js';
import { behaviours } from './behaviours/index.js';
import { EngineError } from './errors.js';
import { StepFailure } from './evaluate.js';
import { applyInputs, applyOutputs } from './io.js';
import { fireInclusiveJoins, defaultSelectFlows } from './flows.js';
import { activateBody, completeBody, innerCompleted, innerLocals } from './multi-instance.js';
import { lookupFrom } from './scope.js';
import type { Lookup } from './scope.js';
import { openTriggers, prepareBoundaryTriggers } from './triggers.js';
import { ROOT_SCOPE } from './types.js';
import type { Effect, ElementInstance, HistoryEvent, HistoryEventType, IncidentType, InstanceState, Variables, WaitRef } from './types.js';

interface Work {
  readonly op: 'activate' | 'complete';
  readonly id: string;
}

export interface EnterOptions {
  /** Trigger variables (message, signal, error) the element applies as its result. */
  readonly payload?: Variables;
  /** Create an inner instance of a multi-instance body (never a new body). */
  readonly loopCounter?: number;
}

export class Run {
  readonly effects: Effect[] = [];
  readonly events: HistoryEvent[] = [];
  readonly nowIso: string;
  /** Set by a terminate end event at process level: the instance ends `terminated`. */
  endAsTerminated = false;
  private queue: Work[] = [];
  private head = 0;
  /** Live children per scope key, kept in step with `state.elements` (enter / removeElement). */
  private readonly childCount = new Map<string, number>();

  constructor(
    readonly model: ProcessModel,
    readonly state: InstanceState,
    readonly now: Date,
    readonly newId: () => string,
  ) {
    this.nowIso = now.toISOString();
    for (const ei of Object.values(state.elements)) this.bump(ei.parentId, 1);
  }

  // ── lookups ──

  node(elementId: string): FlowNode {
    const node = this.model.elements[elementId];
    if (!node) throw new EngineError('model-mismatch', `element '${elementId}' is not in process '${this.model.id}'`);
    return node;
  }

  get(id: string): ElementInstance | undefined {
    return this.state.elements[id];
  }

  isLive(ei: ElementInstance): boolean {
    return this.state.elements[ei.id] === ei;
  }

  parentOf(ei: ElementInstance): ElementInstance | null {
    return ei.parentId === null ? null : (this.state.elements[ei.parentId] ?? null);
  }

  /** True for an inner instance of a multi-instance body. */
  isInner(ei: ElementInstance): boolean {
    return this.parentOf(ei)?.kind === 'multiInstanceBody';
  }

  childrenOf(scopeId: string | null): ElementInstance[] {
    if ((this.childCount.get(scopeId ?? ROOT_SCOPE) ?? 0) === 0) return [];
    return Object.values(this.state.elements).filter((ei) => ei.parentId === scopeId);
  }

  lookup(ei: ElementInstance | null, overrides?: Variables): Lookup {
    return lookupFrom(this.state, ei, overrides);
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  record(type: HistoryEventType, ei?: ElementInstance | null, data?: Record<string, unknown>): void {
    const event: { -readonly [K in keyof HistoryEvent]: HistoryEvent[K] } = { type };
    if (ei) {
      event.elementId = ei.elementId;
      event.elementInstanceId = ei.id;
    }
    if (data) event.data = data;
    this.events.push(event);
  }

  // ── lifecycle ──

  /** Creates an element instance in `parentId` and queues its activation. */
  enter(elementId: string, parentId: string | null, options: EnterOptions = {}): ElementInstance {
    const node = this.node(elementId);
    const isBody = options.loopCounter === undefined && 'multiInstance' in node && node.multiInstance !== undefined;
    const ei: ElementInstance = { id: this.newId(), elementId, kind: isBody ? 'multiInstanceBody' : node.kind, parentId, state: 'activating', since: this.nowIso };
    if (options.payload) ei.payload = options.payload;
    if (options.loopCounter !== undefined) ei.loopCounter = options.loopCounter;
    this.state.elements[ei.id] = ei;
    this.bump(parentId, 1);
    this.record('element.entered', ei, isBody ? { multiInstanceBody: true } : options.loopCounter !== undefined ? { loopCounter: options.loopCounter } : undefined);
    this.queue.push({ op: 'activate', id: ei.id });
    return ei;
  }

  /** The element is done: queue output mappings and leaving. */
  complete(ei: ElementInstance): void {
    ei.state = 'completing';
    this.queue.push({ op: 'complete', id: ei.id });
  }

  /** Re-queues the step an incident interrupted. */
  retry(ei: ElementInstance): void {
    this.queue.push({ op: ei.state === 'completing' ? 'complete' : 'activate', id: ei.id });
  }

  /** Runs the agenda until every token waits (then fires inclusive joins that can no longer get more tokens). */
  drain(): void {
    for (;;) {
      while (this.head < this.queue.length) {
        const work = this.queue[this.head++];
        const ei = this.state.elements[work.id];
        if (!ei) continue; // terminated while queued
        if (work.op === 'activate' && ei.state === 'activating') this.activateStep(ei);
        else if (work.op === 'complete' && ei.state === 'completing') this.completeStep(ei);
      }
      this.queue = [];
      this.head = 0;
      if (this.state.status !== 'active' || !fireInclusiveJoins(this)) return;
    }
  }

  private activateStep(ei: ElementInstance): void {
    const node = this.node(ei.elementId);
    try {
      if (ei.kind === 'multiInstanceBody') {
        const pending = prepareBoundaryTriggers(this, ei, node);
        ei.state = 'active';
        activateBody(this, ei, node as ActivityNode);
        if (this.isLive(ei) && ei.state === 'active') openTriggers(this, ei, pending);
        return;
      }
      const inner = this.isInner(ei);
      if (inner) ei.variables = innerLocals(this, ei);
      else delete ei.variables;
      applyInputs(this, ei, node);
      const pending = inner ? [] : prepareBoundaryTriggers(this, ei, node);
      ei.state = 'active';
      (behaviours[node.kind].activate as (run: Run, ei: ElementInstance, node: FlowNode) => void)(this, ei, node);
      if (this.isLive(ei) && ei.state === 'active') openTriggers(this, ei, pending);
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      if (!this.isLive(ei)) return;
      this.closeWaits(ei);
      ei.state = 'activating';
      this.raiseIncident(ei, error.incidentType, error.message);
    }
  }

  private completeStep(ei: ElementInstance): void {
    const node = this.node(ei.elementId);
    let flows: readonly string[];
    try {
      if (ei.kind === 'multiInstanceBody') {
        completeBody(this, ei, node as ActivityNode);
      } else {
        (behaviours[node.kind].beforeComplete as ((run: Run, ei: ElementInstance, node: FlowNode) => void) | undefined)?.(this, ei, node);
        applyOutputs(this, ei, node);
        const body = this.parentOf(ei);
        if (body?.kind === 'multiInstanceBody') {
          innerCompleted(this, body, ei, node as ActivityNode);
          return;
        }
      }
      const select = ei.kind === 'multiInstanceBody' ? undefined : behaviours[node.kind].selectFlows;
      flows = select ? (select as (run: Run, ei: ElementInstance, node: FlowNode) => readonly string[])(this, ei, node) : defaultSelectFlows(this, ei, node);
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      if (this.isLive(ei)) this.raiseIncident(ei, error.incidentType, error.message);
      return;
    }
    this.leave(ei, flows);
  }

  /** Removes a completed element and sends its token(s) on. `payload` goes to the flow targets (event gateway). */
  leave(ei: ElementInstance, flows: readonly string[], payload?: Variables): void {
    this.closeWaits(ei);
    this.removeElement(ei);
    this.record('element.left', ei);
    for (const flowId of flows) this.takeFlow(flowId, ei.parentId, payload);
    this.checkScope(ei.parentId);
  }

  /** Inner instance done: removed without taking flows (the body decides what follows). */
  leaveInner(ei: ElementInstance): void {
    this.closeWaits(ei);
    this.removeElement(ei);
    this.record('element.left', ei);
  }

  takeFlow(flowId: string, scopeId: string | null, payload?: Variables): void {
    const flow = this.model.flows[flowId];
    if (!flow) throw new EngineError('model-mismatch', `sequence flow '${flowId}' is not in process '${this.model.id}'`);
    const target = this.node(flow.targetId);
    if ((target.kind === 'parallelGateway' || target.kind === 'inclusiveGateway') && target.incoming.length > 1) {
      const scopeKey = scopeId ?? ROOT_SCOPE;
      const perScope = (this.state.joins[scopeKey] ??= {});
      const tokens = (perScope[target.id] ??= {});
      tokens[flowId] = (tokens[flowId] ?? 0) + 1;
      // Inclusive joins fire when the agenda is empty and nothing else can reach them (drain).
      if (target.kind === 'parallelGateway' && target.incoming.every((id) => (tokens[id] ?? 0) > 0)) {
        this.consumeJoin(scopeKey, target.id, target.incoming);
        this.enter(target.id, scopeId);
      }
      return;
    }
    this.enter(target.id, scopeId, payload ? { payload } : {});
  }

  consumeJoin(scopeKey: string, gatewayId: string, flows: readonly string[]): void {
    const perScope = this.state.joins[scopeKey];
    const tokens = perScope?.[gatewayId];
    if (!perScope || !tokens) return;
    for (const id of flows) {
      if ((tokens[id] ?? 0) > 1) tokens[id] -= 1;
      else delete tokens[id];
    }
    if (Object.keys(tokens).length === 0) delete perScope[gatewayId];
    if (Object.keys(perScope).length === 0) delete this.state.joins[scopeKey];
  }

  /** A scope with no live children and no waiting join tokens is complete. */
  checkScope(scopeId: string | null): void {
    if ((this.childCount.get(scopeId ?? ROOT_SCOPE) ?? 0) > 0) return;
    if (this.state.joins[scopeId ?? ROOT_SCOPE]) return;
    if (scopeId === null) {
      if (this.state.status === 'active') this.completeInstance();
      return;
    }
    const scope = this.state.elements[scopeId];
    if (!scope || scope.state !== 'active') return;
    if (scope.kind === 'subProcess' || scope.kind === 'eventSubProcess') this.complete(scope);
  }

  // ── termination ──

  /** Terminates `ei` and everything inside it (children first), closing every wait. No scope check. */
  terminate(ei: ElementInstance): void {
    const byParent = new Map<string, ElementInstance[]>();
    for (const e of Object.values(this.state.elements)) {
      if (e.parentId === null) continue;
      const list = byParent.get(e.parentId);
      if (list) list.push(e);
      else byParent.set(e.parentId, [e]);
    }
    const order: ElementInstance[] = [ei];
    for (let i = 0; i < order.length; i++) order.push(...(byParent.get(order[i].id) ?? []));
    for (let i = order.length - 1; i >= 0; i--) {
      const e = order[i];
      const node = this.model.elements[e.elementId];
      if (node && e.kind !== 'multiInstanceBody') (behaviours[node.kind].onTerminate as ((run: Run, ei: ElementInstance, node: FlowNode) => void) | undefined)?.(this, e, node);
      this.closeWaits(e);
      this.resolveIncident(e);
      this.removeElement(e);
      this.record('element.terminated', e);
    }
  }

  /** Terminates every child of a scope (except `keep`) and drops its join tokens. */
  terminateChildren(scopeId: string | null, keep?: ElementInstance): void {
    for (const child of this.childrenOf(scopeId)) if (child !== keep && this.isLive(child)) this.terminate(child);
    delete this.state.joins[scopeId ?? ROOT_SCOPE];
  }

  private removeElement(ei: ElementInstance): void {
    delete this.state.elements[ei.id];
    delete this.state.joins[ei.id];
    this.bump(ei.parentId, -1);
  }

  private bump(parentId: string | null, delta: number): void {
    const key = parentId ?? ROOT_SCOPE;
    this.childCount.set(key, (this.childCount.get(key) ?? 0) + delta);
  }

  // ── waits ──

  addWait(owner: ElementInstance | null, key: string, ref: WaitRef): void {
    this.state.waits[key] = ref;
    if (owner) (owner.waits ??= []).push(key);
    else this.state.rootWaits.push(key);
  }

  /** Forgets a wait its command consumed (job completed, timer fired, task completed): no cancel effect. */
  consumeWait(key: string): void {
    const ref = this.state.waits[key];
    if (!ref) return;
    delete this.state.waits[key];
    const owner = ref.elementInstanceId === null ? null : this.state.elements[ref.elementInstanceId];
    if (owner) {
      owner.waits = owner.waits?.filter((k) => k !== key);
      if (owner.waits?.length === 0) delete owner.waits;
    } else if (ref.elementInstanceId === null) {
      this.state.rootWaits = this.state.rootWaits.filter((k) => k !== key);
    }
  }

  /** Closes one open wait, emitting what the runtime needs to cancel its row. */
  closeWait(key: string): void {
    const ref = this.state.waits[key];
    if (!ref) return;
    this.consumeWait(key);
    const at = { elementInstanceId: ref.elementInstanceId, elementId: ref.elementId };
    switch (ref.kind) {
      case 'job':
        this.emit({ type: 'cancelJob', jobKey: key, elementInstanceId: ref.elementInstanceId, elementId: ref.elementId });
        return;
      case 'userTask':
        this.emit({ type: 'cancelUserTask', taskId: key, elementInstanceId: ref.elementInstanceId, elementId: ref.elementId });
        this.events.push({ type: 'task.canceled', elementId: ref.elementId, elementInstanceId: ref.elementInstanceId, data: { taskId: key } });
        return;
      case 'timer':
        this.emit({ type: 'cancelTimer', timerKey: key, ...at });
        this.events.push({ type: 'timer.canceled', elementId: ref.elementId, ...(ref.elementInstanceId ? { elementInstanceId: ref.elementInstanceId } : {}), data: { timerKey: key } });
        return;
      case 'message':
      case 'signal':
        this.emit({ type: 'closeSubscription', subscriptionKey: key, eventType: ref.kind, ...at });
        return;
      case 'child':
        this.emit({ type: 'cancelChildInstance', childInstanceId: key, parentElementInstanceId: ref.elementInstanceId });
        return;
    }
  }

  closeWaits(owner: ElementInstance | null, filter?: (ref: WaitRef) => boolean): void {
    const keys = owner ? (owner.waits ?? []) : this.state.rootWaits;
    for (const key of [...keys]) {
      const ref = this.state.waits[key];
      if (ref && (!filter || filter(ref))) this.closeWait(key);
    }
  }

  // ── incidents ──

  raiseIncident(ei: ElementInstance, type: IncidentType, message: string, jobKey?: string): void {
    const key = this.newId();
    this.state.incidents[key] = { key, elementInstanceId: ei.id, elementId: ei.elementId, type, message, ...(jobKey ? { jobKey } : {}), createdAt: this.nowIso };
    ei.incident = key;
    this.emit({ type: 'raiseIncident', incidentKey: key, elementInstanceId: ei.id, elementId: ei.elementId, incidentType: type, message, ...(jobKey ? { jobKey } : {}) });
    this.record('incident.raised', ei, { incidentKey: key, incidentType: type, message, ...(jobKey ? { jobKey } : {}) });
  }

  resolveIncident(ei: ElementInstance): void {
    const key = ei.incident;
    if (!key) return;
    delete ei.incident;
    delete this.state.incidents[key];
    this.emit({ type: 'resolveIncident', incidentKey: key });
    this.record('incident.resolved', ei, { incidentKey: key });
  }

  // ── instance end ──

  completeInstance(): void {
    const status = this.endAsTerminated ? 'terminated' : 'completed';
    this.closeWaits(null);
    this.state.status = status;
    this.state.endedAt = this.nowIso;
    this.record(status === 'terminated' ? 'instance.terminated' : 'instance.completed');
    this.emit({ type: 'instanceEnded', status });
    if (this.state.parent) this.emit({ type: 'notifyParent', parent: this.state.parent, outcome: 'completed', variables: { ...this.state.variables } });
  }
}


