import type { GatewayNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';

/**
 * Join: the token counting happens when flows are taken (Run.takeFlow): the gateway is entered only
 * once every incoming flow has a token in this scope instance. Fork: every outgoing flow, conditions ignored.
 */
export const parallelGatewayBehaviour: Behaviour<GatewayNode> = {
  activate(run, ei) {
    run.complete(ei);
  },
  selectFlows: (_run, _ei, node) => node.outgoing,
};
