import type { EndEventNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { evaluateCode, evaluateText } from '../evaluate.js';
import { throwError, throwEscalation } from '../throw-catch.js';
import { openJob } from '../waits.js';

/**
 * None: the token ends (its scope completes when nothing else is live). Terminate: every other
 * token of the scope is terminated; at process level the instance ends `terminated`. Error: thrown
 * to the nearest catch (uncaught → incident, the end event waits). Escalation / signal: thrown,
 * then ends. Message: a job, then ends.
 */
export const endEventBehaviour: Behaviour<EndEventNode> = {
  activate(run, ei, node) {
    const definition = node.eventDefinition;
    if (node.job) {
      openJob(run, ei, node.job);
      return;
    }
    switch (definition?.type) {
      case 'terminate':
        run.terminateChildren(ei.parentId, ei);
        if (ei.parentId === null) run.endAsTerminated = true;
        break;
      case 'error':
        throwError(run, ei, evaluateCode(definition.code, run.lookup(ei), `error code of '${node.id}'`), definition.message, { ...(ei.variables ?? {}) });
        return;
      case 'escalation':
        if (!throwEscalation(run, ei, evaluateCode(definition.code, run.lookup(ei), `escalation code of '${node.id}'`))) return;
        break;
      case 'signal': {
        const name = evaluateText(definition.name, run.lookup(ei), `signal name of '${node.id}'`);
        run.emit({ type: 'throwSignal', name, variables: { ...(ei.variables ?? {}) } });
        break;
      }
      default:
        break;
    }
    run.complete(ei);
  },
};
