import type { SubProcessNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { StepFailure } from '../evaluate.js';
import { openTriggers, prepareEventSubProcessTriggers } from '../triggers.js';

/**
 * Embedded subprocess: its own variable scope (the element instance), its event-subprocess
 * triggers, then its none start event. Completes when no child is live (Run.checkScope).
 */
export const subProcessBehaviour: Behaviour<SubProcessNode> = {
  activate(run, ei, node) {
    const scope = run.model.scopes[node.id];
    const startId = scope?.noneStartEventId;
    if (!startId) throw new StepFailure(`subprocess '${node.id}' has no none start event`);
    const pending = prepareEventSubProcessTriggers(run, ei, node.id);
    ei.variables ??= {};
    openTriggers(run, ei, pending);
    run.enter(startId, ei.id);
  },
};
