import type { SendTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { visibleVariables } from '../scope.js';
import { openJob } from '../waits.js';

/** With a job type: a job. With a `template` header: a mail Flowdesk sends itself (then completes). Else passes through. */
export const sendTaskBehaviour: Behaviour<SendTaskNode> = {
  activate(run, ei, node) {
    if (node.job) {
      openJob(run, ei, node.job);
      return;
    }
    const template = node.headers.template;
    if (template) {
      run.emit({
        type: 'sendMail',
        elementInstanceId: ei.id,
        elementId: ei.elementId,
        template,
        headers: { ...node.headers },
        variables: visibleVariables(run.state, ei),
      });
    }
    run.complete(ei);
  },
};
