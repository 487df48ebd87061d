// Tiny XML builders so each spec states only the elements that matter.

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" targetNamespace="http://flowdesk.test"`;
const NS_C7 = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://flowdesk.test"`;

/** A Camunda 8 (zeebe) definitions document with one executable process. */
export function zeebe(body: string, id = 'p', extraRoot = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="defs" modeler:executionPlatform="Camunda Cloud">
  ${extraRoot}
  <bpmn:process id="${id}" isExecutable="true">
${body}
  </bpmn:process>
</bpmn:definitions>`;
}

/** A Camunda 7 definitions document with one executable process. */
export function camunda(body: string, id = 'p', extraRoot = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS_C7} id="defs">
  ${extraRoot}
  <bpmn:process id="${id}" isExecutable="true">
${body}
  </bpmn:process>
</bpmn:definitions>`;
}

/** `<bpmn:sequenceFlow>`; a condition becomes a conditionExpression. */
export function flow(id: string, source: string, target: string, condition?: string): string {
  if (condition === undefined) return `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"/>`;
  const escaped = condition.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${escaped}</bpmn:conditionExpression></bpmn:sequenceFlow>`;
}

/** A zeebe service task with job type `type` (and optional extra extension elements). */
export function serviceTask(id: string, type: string, extensions = '', attributes = ''): string {
  return `<bpmn:serviceTask id="${id}" ${attributes}><bpmn:extensionElements><zeebe:taskDefinition type="${type}"/>${extensions}</bpmn:extensionElements></bpmn:serviceTask>`;
}

/** A chain start → ...ids (as elements given) → end, with flows f1..fn. */
export function chain(ids: readonly string[]): string {
  const flows: string[] = [];
  for (let i = 0; i < ids.length - 1; i++) flows.push(flow(`f_${ids[i]}_${ids[i + 1]}`, ids[i], ids[i + 1]));
  return flows.join('\n');
}
