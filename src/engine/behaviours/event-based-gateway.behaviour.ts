import type { GatewayNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import type { PendingTrigger } from '../waits.js';
import { openTrigger, prepareTrigger } from '../waits.js';

/**
 * Opens the triggers of the catch events (or receive tasks) after it; the first to fire wins, the
 * others close, and the token moves to the winner, which completes at once (triggers.ts).
 */
export const eventBasedGatewayBehaviour: Behaviour<GatewayNode> = {
  activate(run, ei, node) {
    const pending: PendingTrigger[] = [];
    for (const flowId of node.outgoing) {
      const target = run.model.elements[run.model.flows[flowId]?.targetId ?? ''];
      if (!target) continue;
      const definition = target.kind === 'intermediateCatchEvent' ? target.eventDefinition : target.kind === 'receiveTask' ? target.message : undefined;
      const trigger = prepareTrigger(run, ei, target.id, definition, 'eventGateway', true);
      if (trigger) pending.push(trigger);
    }
    for (const trigger of pending) openTrigger(run, ei, trigger);
  },
};
