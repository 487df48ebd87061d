import type { ReceiveTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { applyResult } from '../io.js';
import { openTrigger, prepareTrigger } from '../waits.js';

/** Waits for its message; the correlation key is evaluated when the subscription opens. */
export const receiveTaskBehaviour: Behaviour<ReceiveTaskNode> = {
  activate(run, ei, node) {
    if (ei.payload) {
      applyResult(run, ei, node, ei.payload);
      delete ei.payload;
      run.complete(ei);
      return;
    }
    const pending = prepareTrigger(run, ei, node.id, node.message, 'self', true);
    if (pending) openTrigger(run, ei, pending);
  },
};
