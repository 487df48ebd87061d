// The lifecycle hooks every element kind implements (modelled on Zeebe's BpmnElementProcessor).
// The agenda calls `activate` after input mappings; a behaviour either finishes at once
// (`run.complete(ei)`), or registers wait keys (job, task, timer, subscription, child) and returns.
// When a 'self' wait key fires, `onTrigger` runs (default: apply the variables as the element's
// result, then complete). On leaving, `selectFlows` picks the outgoing flows (default: the
// conditional/default-flow rule for activities and events). Waits are closed generically on
// termination; `onTerminate` is for anything else.
//
// Behaviours signal process-level failures by throwing StepFailure (evaluate.ts); evaluate
// everything that can fail BEFORE emitting effects, so a failed step leaves nothing half-done.

import type { ElementKind, FlowNode } from '../bpmn/process-model.js';
import type { Run } from './run.js';
import type { ElementInstance, Variables, WaitRef } from './types.js';

export interface SelfTrigger {
  readonly key: string;
  readonly ref: WaitRef;
  readonly variables: Variables;
}

export interface Behaviour<N extends FlowNode = FlowNode> {
  activate(run: Run, ei: ElementInstance, node: N): void;
  onTrigger?(run: Run, ei: ElementInstance, node: N, trigger: SelfTrigger): void;
  /** Runs when completion starts, before output mappings (may throw StepFailure: the retry re-runs completion). */
  beforeComplete?(run: Run, ei: ElementInstance, node: N): void;
  selectFlows?(run: Run, ei: ElementInstance, node: N): readonly string[];
  onTerminate?(run: Run, ei: ElementInstance, node: N): void;
}

/** The node type(s) of one element kind (ServiceTaskNode covers both serviceTask and businessRuleTask). */
export type NodeOfKind<K extends ElementKind> = FlowNode extends infer N ? (N extends { readonly kind: infer NK } ? (K extends NK ? N : never) : never) : never;

/** The registry's type: a behaviour for every element kind, or the registry does not compile. */
export type BehaviourRegistry = { readonly [K in ElementKind]: Behaviour<NodeOfKind<K>> };
