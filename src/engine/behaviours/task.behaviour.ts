import type { PlainTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';

/** Undefined task (bpmn:task): passes through, as in Camunda. */
export const taskBehaviour: Behaviour<PlainTaskNode> = {
  activate(run, ei) {
    run.complete(ei);
  },
};
