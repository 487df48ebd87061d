// The exhaustive registry: a kind without a behaviour does not compile (`satisfies`).
import type { BehaviourRegistry } from '../behaviour.js';
import { boundaryEventBehaviour } from './boundary-event.behaviour.js';
import { businessRuleTaskBehaviour } from './business-rule-task.behaviour.js';
import { callActivityBehaviour } from './call-activity.behaviour.js';
import { endEventBehaviour } from './end-event.behaviour.js';
import { eventBasedGatewayBehaviour } from './event-based-gateway.behaviour.js';
import { eventSubProcessBehaviour } from './event-sub-process.behaviour.js';
import { exclusiveGatewayBehaviour } from './exclusive-gateway.behaviour.js';
import { inclusiveGatewayBehaviour } from './inclusive-gateway.behaviour.js';
import { intermediateCatchEventBehaviour } from './intermediate-catch-event.behaviour.js';
import { intermediateThrowEventBehaviour } from './intermediate-throw-event.behaviour.js';
import { manualTaskBehaviour } from './manual-task.behaviour.js';
import { parallelGatewayBehaviour } from './parallel-gateway.behaviour.js';
import { receiveTaskBehaviour } from './receive-task.behaviour.js';
import { scriptTaskBehaviour } from './script-task.behaviour.js';
import { sendTaskBehaviour } from './send-task.behaviour.js';
import { serviceTaskBehaviour } from './service-task.behaviour.js';
import { startEventBehaviour } from './start-event.behaviour.js';
import { subProcessBehaviour } from './sub-process.behaviour.js';
import { taskBehaviour } from './task.behaviour.js';
import { userTaskBehaviour } from './user-task.behaviour.js';

export const behaviours = {
  startEvent: startEventBehaviour,
  endEvent: endEventBehaviour,
  intermediateCatchEvent: intermediateCatchEventBehaviour,
  intermediateThrowEvent: intermediateThrowEventBehaviour,
  boundaryEvent: boundaryEventBehaviour,
  exclusiveGateway: exclusiveGatewayBehaviour,
  parallelGateway: parallelGatewayBehaviour,
  inclusiveGateway: inclusiveGatewayBehaviour,
  eventBasedGateway: eventBasedGatewayBehaviour,
  subProcess: subProcessBehaviour,
  eventSubProcess: eventSubProcessBehaviour,
  callActivity: callActivityBehaviour,
  userTask: userTaskBehaviour,
  serviceTask: serviceTaskBehaviour,
  sendTask: sendTaskBehaviour,
  receiveTask: receiveTaskBehaviour,
  scriptTask: scriptTaskBehaviour,
  manualTask: manualTaskBehaviour,
  task: taskBehaviour,
  businessRuleTask: businessRuleTaskBehaviour,
} satisfies BehaviourRegistry;
