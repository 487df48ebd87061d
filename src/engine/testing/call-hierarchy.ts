// Test helper: a call hierarchy of pure-engine instances, wired the way the runtime wires them
// (src/runtime/effect-rows.ts, command-executor.ts): `startChildInstance` starts the child with its
// ParentLink, `notifyParent` becomes childCompleted / childFailed / childEscalated on the parent,
// `cancelChildInstance` runs `cancel { byParent }` on the child. Follow-ups run breadth first from one
// queue; an EngineError in a follow-up changes nothing (as in the runtime).

import type { ProcessModel } from '../../bpmn/process-model.js';
import { EngineError } from '../errors.js';
import type { Command } from '../types.js';
import { compileModel, Harness } from './harness.js';

export class CallHierarchy {
  readonly instances = new Map<string, Harness>();
  private roots = 0;

  private constructor(private readonly models: ReadonlyMap<string, ProcessModel>) {}

  /** `xml` by process key (each document's process must have that id). */
  static async of(xml: Record<string, string>): Promise<CallHierarchy> {
    const models = new Map<string, ProcessModel>();
    for (const [key, text] of Object.entries(xml)) models.set(key, await compileModel(text, key));
    return new CallHierarchy(models);
  }

  /** Starts a root instance of `processKey`; returns its id. */
  start(processKey: string, variables: Record<string, unknown> = {}): string {
    const id = `root${++this.roots}`;
    this.instances.set(id, new Harness(this.model(processKey), `${id}.`));
    this.run(id, { type: 'start', variables });
    return id;
  }

  get(instanceId: string): Harness {
    const harness = this.instances.get(instanceId);
    if (!harness) throw new Error(`no instance '${instanceId}'`);
    return harness;
  }

  /** The one child instance started by `parentId`'s element `elementId` (the latest, if several). */
  childOf(parentId: string, elementId: string): string {
    const started = this.get(parentId).effectsOf('startChildInstance').filter((e) => e.parentElementId === elementId);
    const last = started.at(-1);
    if (!last) throw new Error(`'${elementId}' of '${parentId}' started no child`);
    return last.childInstanceId;
  }

  /** Runs `command` on `instanceId` and every follow-up it causes. */
  run(instanceId: string, command: Command): void {
    const queue: { instanceId: string; command: Command }[] = [{ instanceId, command }];
    for (let index = 0; index < queue.length; index++) {
      const work = queue[index]!;
      let effects;
      try {
        effects = this.get(work.instanceId).run(work.command).effects;
      } catch (error) {
        if (index > 0 && error instanceof EngineError) continue;
        throw error;
      }
      for (const effect of effects) {
        switch (effect.type) {
          case 'startChildInstance':
            this.instances.set(effect.childInstanceId, new Harness(this.model(effect.processKey), `${effect.childInstanceId}.`));
            queue.push({
              instanceId: effect.childInstanceId,
              command: {
                type: 'start',
                variables: effect.variables,
                parent: {
                  instanceId: work.instanceId,
                  elementInstanceId: effect.parentElementInstanceId,
                  elementId: effect.parentElementId,
                  ...(effect.escalationCatches ? { escalationCatches: effect.escalationCatches } : {}),
                },
              },
            });
            break;
          case 'cancelChildInstance':
            queue.push({ instanceId: effect.childInstanceId, command: { type: 'cancel', byParent: true } });
            break;
          case 'notifyParent':
            queue.push({
              instanceId: effect.parent.instanceId,
              command:
                effect.outcome === 'completed'
                  ? { type: 'childCompleted', childInstanceId: work.instanceId, variables: effect.variables }
                  : effect.outcome === 'error'
                    ? { type: 'childFailed', childInstanceId: work.instanceId, errorCode: effect.errorCode ?? '', variables: effect.variables }
                    : { type: 'childEscalated', childInstanceId: work.instanceId, code: effect.escalationCode ?? '', variables: effect.variables },
            });
            break;
          default:
            break;
        }
      }
    }
  }

  completeTask(instanceId: string, elementId: string): void {
    const harness = this.get(instanceId);
    this.run(instanceId, { type: 'completeUserTask', taskId: harness.task(elementId) });
  }

  private model(processKey: string): ProcessModel {
    const model = this.models.get(processKey);
    if (!model) throw new Error(`no model '${processKey}'`);
    return model;
  }
}
