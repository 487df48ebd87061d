// Test helper: parse a BPMN string once, run commands against the pure engine, and reach wait
// states by element id instead of by key. Time is a fake clock the test advances.

import { parseBpmn } from '../../bpmn/index.js';
import type { ProcessModel } from '../../bpmn/process-model.js';
import { execute } from '../execute.js';
import type { Command, Effect, ExecuteResult, HistoryEvent, InstanceState, ParentLink, Variables, WaitRef } from '../types.js';

/** Parses `xml` and returns its process (the one with `processId`, else the first). Throws on problems. */
export async function compileModel(xml: string, processId?: string): Promise<ProcessModel> {
  const result = await parseBpmn(xml);
  if (!result.ok) throw new Error(`BPMN refused: ${result.problems.map((p) => `${p.elementId ?? ''} ${p.message}`).join('; ')}`);
  const model = processId ? result.processes.find((p) => p.id === processId) : result.processes[0];
  if (!model) throw new Error(`process '${processId}' not found`);
  return model;
}

export interface StartOptions {
  readonly startEventId?: string;
  readonly businessKey?: string;
  readonly parent?: ParentLink;
  readonly initiator?: string;
}

export class Harness {
  state: InstanceState | null = null;
  readonly effects: Effect[] = [];
  readonly events: HistoryEvent[] = [];
  last!: ExecuteResult;
  now = new Date('2026-01-05T09:00:00.000Z');
  private counter = 0;

  constructor(
    readonly model: ProcessModel,
    private readonly idPrefix = 'k',
  ) {}

  static async of(xml: string, processId?: string): Promise<Harness> {
    return new Harness(await compileModel(xml, processId));
  }

  readonly newId = (): string => `${this.idPrefix}${++this.counter}`;

  run(command: Command): ExecuteResult {
    const before = this.state === null ? null : (JSON.parse(JSON.stringify(this.state)) as InstanceState);
    const result = execute(this.model, this.state, command, { now: this.now, newId: this.newId });
    // Purity check: the input state must come back untouched.
    if (before && JSON.stringify(before) !== JSON.stringify(this.state)) throw new Error('execute mutated its input state');
    this.state = result.state;
    this.effects.push(...result.effects);
    this.events.push(...result.events);
    this.last = result;
    return result;
  }

  start(variables: Variables = {}, options: StartOptions = {}): ExecuteResult {
    return this.run({ type: 'start', variables, ...options });
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  // ── finding wait keys ──

  private keyAt(elementId: string, kinds: readonly WaitRef['kind'][]): string {
    const keys = this.keysAt(elementId, kinds);
    if (keys.length === 0) throw new Error(`no open ${kinds.join('/')} at '${elementId}'; active: ${this.active().join(', ')}`);
    return keys[0];
  }

  keysAt(elementId: string, kinds: readonly WaitRef['kind'][]): string[] {
    const waits = this.state?.waits ?? {};
    return Object.keys(waits).filter((key) => waits[key].elementId === elementId && kinds.includes(waits[key].kind));
  }

  job(elementId: string): string {
    return this.keyAt(elementId, ['job']);
  }
  task(elementId: string): string {
    return this.keyAt(elementId, ['userTask']);
  }
  timer(elementId: string): string {
    return this.keyAt(elementId, ['timer']);
  }
  subscription(elementId: string): string {
    return this.keyAt(elementId, ['message', 'signal']);
  }
  child(elementId: string): string {
    return this.keyAt(elementId, ['child']);
  }

  // ── driving ──

  completeJob(elementId: string, variables?: Variables): ExecuteResult {
    return this.run({ type: 'completeJob', jobKey: this.job(elementId), ...(variables ? { variables } : {}) });
  }
  completeTask(elementId: string, variables?: Variables): ExecuteResult {
    return this.run({ type: 'completeUserTask', taskId: this.task(elementId), ...(variables ? { variables } : {}), actor: 'alice' });
  }
  throwError(elementId: string, code: string, variables?: Variables): ExecuteResult {
    return this.run({ type: 'throwError', jobKey: this.job(elementId), code, ...(variables ? { variables } : {}) });
  }
  failJob(elementId: string, message = 'boom'): ExecuteResult {
    return this.run({ type: 'failJob', jobKey: this.job(elementId), message });
  }
  fireTimer(elementId: string): ExecuteResult {
    return this.run({ type: 'fireTimer', timerKey: this.timer(elementId) });
  }
  deliverMessage(elementId: string, variables?: Variables): ExecuteResult {
    return this.run({ type: 'deliverMessage', subscriptionKey: this.subscription(elementId), ...(variables ? { variables } : {}) });
  }
  deliverSignal(elementId: string, variables?: Variables): ExecuteResult {
    return this.run({ type: 'deliverSignal', subscriptionKey: this.subscription(elementId), ...(variables ? { variables } : {}) });
  }
  retryIncident(elementId?: string, retries?: number): ExecuteResult {
    const incident = this.incidents().find((i) => elementId === undefined || i.elementId === elementId);
    if (!incident) throw new Error(`no open incident${elementId ? ` at '${elementId}'` : ''}`);
    return this.run({ type: 'retryIncident', incidentKey: incident.key, ...(retries !== undefined ? { retries } : {}) });
  }

  // ── asserting ──

  get status(): string {
    return this.state?.status ?? 'none';
  }
  get variables(): Variables {
    return this.state?.variables ?? {};
  }
  /** Element ids of live element instances, sorted. */
  active(): string[] {
    return Object.values(this.state?.elements ?? {})
      .map((ei) => (ei.kind === 'multiInstanceBody' ? `${ei.elementId}#body` : ei.elementId))
      .sort();
  }
  /** Element ids in the order they were entered (optionally only completed ones: `element.left`). */
  path(type: 'element.entered' | 'element.left' | 'element.terminated' = 'element.left'): string[] {
    return this.events.filter((e) => e.type === type).map((e) => e.elementId ?? '');
  }
  incidents(): InstanceState['incidents'][string][] {
    return Object.values(this.state?.incidents ?? {});
  }
  effectsOf<T extends Effect['type']>(type: T, from: readonly Effect[] = this.effects): Extract<Effect, { type: T }>[] {
    return from.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
  eventsOf(type: HistoryEvent['type']): HistoryEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}
