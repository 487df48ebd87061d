import type { IntermediateThrowEventNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { evaluateCode, evaluateText } from '../evaluate.js';
import { throwEscalation } from '../throw-catch.js';
import { openJob } from '../waits.js';

/** None: passes through. Signal: broadcast through the runtime. Escalation: thrown outward. Message: a job. */
export const intermediateThrowEventBehaviour: Behaviour<IntermediateThrowEventNode> = {
  activate(run, ei, node) {
    const definition = node.eventDefinition;
    if (node.job) {
      openJob(run, ei, node.job);
      return;
    }
    if (definition?.type === 'signal') {
      const name = evaluateText(definition.name, run.lookup(ei), `signal name of '${node.id}'`);
      run.emit({ type: 'throwSignal', name, variables: { ...(ei.variables ?? {}) } });
    } else if (definition?.type === 'escalation') {
      if (!throwEscalation(run, ei, evaluateCode(definition.code, run.lookup(ei), `escalation code of '${node.id}'`))) return;
    }
    run.complete(ei);
  },
};
