import type { GatewayNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { inclusiveFlows } from '../flows.js';

/**
 * Join: entered when the agenda is empty and no live token of the scope instance can still reach
 * it (flows.ts fireInclusiveJoins). Fork: every true condition, else the default, else an incident.
 */
export const inclusiveGatewayBehaviour: Behaviour<GatewayNode> = {
  activate(run, ei) {
    run.complete(ei);
  },
  selectFlows: inclusiveFlows,
};
