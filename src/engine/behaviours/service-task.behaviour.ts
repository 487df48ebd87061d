import type { ServiceTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { openJob } from '../waits.js';
import { runScript } from './script-task.behaviour.js';

/**
 * A job for a worker (wait state; `completeJob` / `throwError` / `failJob` resume it), or a
 * Camunda 7 inline `camunda:expression` evaluated like a script. Without either it passes through.
 */
export const serviceTaskBehaviour: Behaviour<ServiceTaskNode> = {
  activate(run, ei, node) {
    if (node.job) openJob(run, ei, node.job);
    else if (node.script) runScript(run, ei, node, node.script);
    else run.complete(ei);
  },
};
