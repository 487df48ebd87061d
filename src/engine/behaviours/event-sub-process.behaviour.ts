import type { EventSubProcessNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';

/** Entered by its trigger (triggers.ts, throw-catch.ts): runs its start event with the trigger's variables. */
export const eventSubProcessBehaviour: Behaviour<EventSubProcessNode> = {
  activate(run, ei, node) {
    ei.variables ??= {};
    const payload = ei.payload;
    delete ei.payload;
    run.enter(node.startEventId, ei.id, payload ? { payload } : {});
  },
};
