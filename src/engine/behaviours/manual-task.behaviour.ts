import type { PlainTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';

/** Done outside the system: passes through. */
export const manualTaskBehaviour: Behaviour<PlainTaskNode> = {
  activate(run, ei) {
    run.complete(ei);
  },
};
