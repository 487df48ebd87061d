// The BPMN files every section runs. The shared ones use only plain BPMN 2.0 (no camunda:/zeebe:
// extensions, no expressions), so Flowdesk and bpmn-engine read exactly the same XML.

const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const ZEEBE_NS = 'http://camunda.org/schema/zeebe/1.0';

function definitions(body: string, extraNs = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="${BPMN_NS}"${extraNs} id="bench_definitions" targetNamespace="http://flowdesk.bench">
${body}
</bpmn:definitions>`;
}

/** start → n elements of `kind` in a chain → end; the elements are `t1` … `tn`. */
function chain(processId: string, kind: 'userTask' | 'task', n: number): string {
  const parts = [`<bpmn:process id="${processId}" isExecutable="true">`, '  <bpmn:startEvent id="start" />'];
  let previous = 'start';
  for (let i = 1; i <= n; i++) {
    parts.push(`  <bpmn:sequenceFlow id="f${i}" sourceRef="${previous}" targetRef="t${i}" />`, `  <bpmn:${kind} id="t${i}" />`);
    previous = `t${i}`;
  }
  parts.push(`  <bpmn:sequenceFlow id="f_end" sourceRef="${previous}" targetRef="end" />`, '  <bpmn:endEvent id="end" />', '</bpmn:process>');
  return definitions(parts.join('\n'));
}

export interface BenchModel {
  /** The BPMN process id (= Flowdesk definition key). */
  readonly key: string;
  readonly xml: string;
  readonly description: string;
}

/** start → user task → end: "instances/s to the first wait state". */
export const USER_TASK: BenchModel = {
  key: 'bench_user_task',
  xml: chain('bench_user_task', 'userTask', 1),
  description: 'start → userTask → end',
};

export const CHAIN_LENGTH = 100;

/** 100 user tasks in a chain, completed one by one: a "step" is one completion → next task waits. */
export const USER_TASK_CHAIN: BenchModel = {
  key: 'bench_user_task_chain',
  xml: chain('bench_user_task_chain', 'userTask', CHAIN_LENGTH),
  description: `start → ${CHAIN_LENGTH} userTasks → end`,
};

/** 100 undefined tasks (bpmn:task, pass-through in both engines): one start runs all 102 flow nodes. */
export const TASK_CHAIN: BenchModel = {
  key: 'bench_task_chain',
  xml: chain('bench_task_chain', 'task', CHAIN_LENGTH),
  description: `start → ${CHAIN_LENGTH} tasks (pass-through) → end`,
};

/** A pass-through chain longer than bpmn-engine's synchronous stack depth (~330 tasks, DESIGN.md). */
export const LONG_TASK_CHAIN_LENGTH = 400;
export const LONG_TASK_CHAIN: BenchModel = {
  key: 'bench_long_task_chain',
  xml: chain('bench_long_task_chain', 'task', LONG_TASK_CHAIN_LENGTH),
  description: `start → ${LONG_TASK_CHAIN_LENGTH} tasks → end`,
};

/** Flowdesk only (bpmn-engine has no FEEL): an exclusive gateway with FEEL conditions before the user task. */
export const FEEL_GATEWAY: BenchModel = {
  key: 'bench_feel_gateway',
  description: 'start → XOR (2 FEEL conditions + default) → userTask → end',
  xml: definitions(
    `<bpmn:process id="bench_feel_gateway" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="xor" />
  <bpmn:exclusiveGateway id="xor" default="small" />
  <bpmn:sequenceFlow id="large" sourceRef="xor" targetRef="review"><bpmn:conditionExpression>= amount &gt; 1000</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="medium" sourceRef="xor" targetRef="review"><bpmn:conditionExpression>= amount &gt; 100 and customer.tier = "gold"</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="small" sourceRef="xor" targetRef="review" />
  <bpmn:userTask id="review" />
  <bpmn:sequenceFlow id="f9" sourceRef="review" targetRef="end" />
  <bpmn:endEvent id="end" />
</bpmn:process>`,
    ` xmlns:zeebe="${ZEEBE_NS}"`,
  ),
};

export const FEEL_GATEWAY_VARIABLES = { amount: 500, customer: { tier: 'gold', name: 'ACME' } };
