/** Small hand-written BPMN documents for e2e tests (the real models live in processes/). */
export const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

export function definitions(body: string, extraNs = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="${BPMN_NS}" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ${extraNs} id="Definitions_1" targetNamespace="http://flowdesk.test">
${body}
</bpmn:definitions>`;
}

export function simpleProcess(id: string, taskName = 'Do it'): string {
  return definitions(`
  <bpmn:process id="${id}" name="Process ${id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" name="${taskName}" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);
}
