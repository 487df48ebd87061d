import type { ServiceTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { serviceTaskBehaviour } from './service-task.behaviour.js';

/** Decisions run in workers: a business-rule task is a job like a service task. */
export const businessRuleTaskBehaviour: Behaviour<ServiceTaskNode> = serviceTaskBehaviour;
