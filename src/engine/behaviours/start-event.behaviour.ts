import type { StartEventNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { applyResult } from '../io.js';
import { openTriggers, prepareEventSubProcessTriggers } from '../triggers.js';

/** None/message/signal/timer start (process, subprocess or event subprocess): applies the trigger's variables, passes on. */
export const startEventBehaviour: Behaviour<StartEventNode> = {
  activate(run, ei, node) {
    // The process scope's event-subprocess triggers open with the instance's first step, so a
    // failing timer/correlation expression becomes an incident here instead of a failed start.
    if (ei.parentId === null && run.state.rootWaits.length === 0) openTriggers(run, null, prepareEventSubProcessTriggers(run, null, run.model.id));
    applyResult(run, ei, node, ei.payload);
    delete ei.payload;
    run.complete(ei);
  },
};
