// The one list of what Flowdesk runs. Deployment refuses anything else by name, so this list must
// never claim more than the engine's behaviours implement (DESIGN principle 4): when a behaviour
// lands or goes, change it here and nowhere else.
import type { ElementKind, EventDefinitionType } from './process-model.js';

/** 'none' is an event without an event definition. */
export type EventTrigger = 'none' | EventDefinitionType;

export interface SupportedElement {
  readonly bpmnType: string;
  /** Event definitions allowed on this kind (events only). */
  readonly eventDefinitions?: readonly EventTrigger[];
  /** Event definitions allowed only when the element has a job type (Zeebe style). */
  readonly eventDefinitionsWithJob?: readonly EventTrigger[];
  readonly multiInstance?: boolean;
}

export const SUPPORTED_ELEMENTS = {
  startEvent: { bpmnType: 'bpmn:StartEvent', eventDefinitions: ['none', 'timer', 'message', 'signal'] },
  endEvent: {
    bpmnType: 'bpmn:EndEvent',
    eventDefinitions: ['none', 'terminate', 'error', 'escalation', 'signal'],
    eventDefinitionsWithJob: ['message'],
  },
  intermediateCatchEvent: { bpmnType: 'bpmn:IntermediateCatchEvent', eventDefinitions: ['timer', 'message', 'signal'] },
  intermediateThrowEvent: {
    bpmnType: 'bpmn:IntermediateThrowEvent',
    eventDefinitions: ['none', 'escalation', 'signal'],
    eventDefinitionsWithJob: ['message'],
  },
  boundaryEvent: { bpmnType: 'bpmn:BoundaryEvent', eventDefinitions: ['timer', 'error', 'message', 'signal', 'escalation'] },
  exclusiveGateway: { bpmnType: 'bpmn:ExclusiveGateway' },
  parallelGateway: { bpmnType: 'bpmn:ParallelGateway' },
  inclusiveGateway: { bpmnType: 'bpmn:InclusiveGateway' },
  eventBasedGateway: { bpmnType: 'bpmn:EventBasedGateway' },
  subProcess: { bpmnType: 'bpmn:SubProcess', multiInstance: true },
  eventSubProcess: { bpmnType: 'bpmn:SubProcess' },
  callActivity: { bpmnType: 'bpmn:CallActivity', multiInstance: true },
  userTask: { bpmnType: 'bpmn:UserTask', multiInstance: true },
  serviceTask: { bpmnType: 'bpmn:ServiceTask', multiInstance: true },
  sendTask: { bpmnType: 'bpmn:SendTask', multiInstance: true },
  receiveTask: { bpmnType: 'bpmn:ReceiveTask', multiInstance: true },
  scriptTask: { bpmnType: 'bpmn:ScriptTask', multiInstance: true },
  manualTask: { bpmnType: 'bpmn:ManualTask', multiInstance: true },
  task: { bpmnType: 'bpmn:Task', multiInstance: true },
  businessRuleTask: { bpmnType: 'bpmn:BusinessRuleTask', multiInstance: true },
} as const satisfies Record<ElementKind, SupportedElement>;

/** Start events of an event subprocess (interrupting or not). */
export const EVENT_SUBPROCESS_START_TRIGGERS: readonly EventTrigger[] = ['timer', 'message', 'signal', 'error', 'escalation'];

/** bpmn-moddle type → kind, for everything a process may contain that Flowdesk runs. */
export const KIND_BY_BPMN_TYPE: Readonly<Record<string, ElementKind>> = Object.fromEntries(
  (Object.entries(SUPPORTED_ELEMENTS) as [ElementKind, SupportedElement][])
    .filter(([kind]) => kind !== 'eventSubProcess')
    .map(([kind, el]) => [el.bpmnType, kind]),
);

/** Not executed, and harmless to ignore: they document or decorate the flow. */
export const IGNORED_BPMN_TYPES: ReadonlySet<string> = new Set([
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
  'bpmn:DataInputAssociation',
  'bpmn:DataOutputAssociation',
]);

/** Elements a modeller may reasonably expect to work, refused with a reason rather than a bare name. */
export const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  'bpmn:ComplexGateway': 'complex gateways are not supported',
  'bpmn:Transaction': 'transaction subprocesses (and their cancel semantics) are not supported',
  'bpmn:AdHocSubProcess': 'ad-hoc subprocesses are not supported',
  'bpmn:StandardLoopCharacteristics': 'standard loops are not supported; use multi-instance or a gateway loop',
  'bpmn:CompensateEventDefinition': 'compensation is not supported',
  'bpmn:ConditionalEventDefinition': 'conditional events are not supported',
  'bpmn:LinkEventDefinition': 'link events are not supported; draw the sequence flow',
  'bpmn:CancelEventDefinition': 'cancel events are not supported (no transactions)',
  'bpmn:ChoreographyTask': 'choreographies are not executable',
  'bpmn:SubChoreography': 'choreographies are not executable',
  'bpmn:CallChoreography': 'choreographies are not executable',
};

export function describeUnsupported(bpmnType: string, id: string | undefined): string {
  const reason = REFUSAL_REASONS[bpmnType];
  const named = `${bpmnType} '${id ?? '(no id)'}' is not supported`;
  return reason ? `${named}: ${reason}` : named;
}
