import type { BoundaryEventNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { applyResult } from '../io.js';

/** Entered only when its trigger fired (triggers.ts): applies the trigger's variables and continues. */
export const boundaryEventBehaviour: Behaviour<BoundaryEventNode> = {
  activate(run, ei, node) {
    applyResult(run, ei, node, ei.payload);
    delete ei.payload;
    run.complete(ei);
  },
};
