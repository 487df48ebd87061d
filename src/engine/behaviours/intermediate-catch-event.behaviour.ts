import type { IntermediateCatchEventNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { applyResult } from '../io.js';
import { openTrigger, prepareTrigger } from '../waits.js';

/**
 * Timer / message / signal catch: waits on its own trigger. Entered with a payload (after an
 * event-based gateway whose event already fired) it completes at once.
 */
export const intermediateCatchEventBehaviour: Behaviour<IntermediateCatchEventNode> = {
  activate(run, ei, node) {
    if (ei.payload) {
      applyResult(run, ei, node, ei.payload);
      delete ei.payload;
      run.complete(ei);
      return;
    }
    const pending = prepareTrigger(run, ei, node.id, node.eventDefinition, 'self', true);
    if (pending) openTrigger(run, ei, pending);
    else run.complete(ei);
  },
};
