import type { GatewayNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { exclusiveFlows } from '../flows.js';

/** Merges without waiting; splits on the first true condition (model order), else the default, else an incident. */
export const exclusiveGatewayBehaviour: Behaviour<GatewayNode> = {
  activate(run, ei) {
    run.complete(ei);
  },
  selectFlows: exclusiveFlows,
};
