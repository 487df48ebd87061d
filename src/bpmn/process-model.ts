// The compiled form of one executable BPMN process: the only thing the engine ever sees.
// It is plain JSON (no classes, no cycles, no bpmn-moddle objects) so it can cross worker threads,
// be cached per definition and be stored beside the XML. Relations are ids, never pointers, so the
// engine walks it with an explicit agenda instead of recursing through object graphs.
//
// Expressions are kept as their source text. A text is FEEL when it starts with '=', the Camunda 7
// `${}`/`#{}` subset when it contains one, and a literal otherwise (see expressions/expressionKind);
// every one was compiled once at deploy, and the runtime compiles it again once per definition.

/** Which Camunda Modeler mode the file was written in; decides io-mapping and call-activity semantics. */
export type Dialect = 'zeebe' | 'camunda' | 'bpmn';

export type ElementKind =
  | 'startEvent'
  | 'endEvent'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent'
  | 'boundaryEvent'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'inclusiveGateway'
  | 'eventBasedGateway'
  | 'subProcess'
  | 'eventSubProcess'
  | 'callActivity'
  | 'userTask'
  | 'serviceTask'
  | 'sendTask'
  | 'receiveTask'
  | 'scriptTask'
  | 'manualTask'
  | 'task'
  | 'businessRuleTask';

export type TimerDefinitionType = 'timeDate' | 'timeDuration' | 'timeCycle';

export type EventDefinition =
  /** `text` is an ISO date/duration/cycle (or a zeebe cron cycle) or an expression yielding one. */
  | { readonly type: 'timer'; readonly timerType: TimerDefinitionType; readonly text: string }
  /** `name` may be an expression (zeebe allows `=` names). */
  | { readonly type: 'message'; readonly messageId?: string; readonly name: string; readonly correlationKey?: string }
  | { readonly type: 'signal'; readonly signalId?: string; readonly name: string }
  /** On catch events an absent `code` catches every error; throws always carry one. */
  | { readonly type: 'error'; readonly errorId?: string; readonly code?: string; readonly message?: string }
  | { readonly type: 'escalation'; readonly escalationId?: string; readonly code?: string }
  | { readonly type: 'terminate' };

export type EventDefinitionType = EventDefinition['type'];

/** Where a job type came from: Camunda 7 code delegates become jobs (named by class, bean or expression). */
export type JobSource =
  | 'zeebe:taskDefinition'
  | 'camunda:external'
  | 'camunda:class'
  | 'camunda:delegateExpression'
  | 'camunda:expression'
  | 'camunda:connector';

export interface JobSpec {
  /** Literal job type = BullMQ queue name. Empty when `typeExpression` decides it at run time. */
  readonly type: string;
  readonly typeExpression?: string;
  /** Total number of tries (BullMQ attempts). */
  readonly retries: number;
  readonly retriesExpression?: string;
  /** zeebe:taskHeaders / camunda:properties (and camunda:field string values). */
  readonly headers: Readonly<Record<string, string>>;
  readonly source: JobSource;
  /** Camunda 7 `camunda:resultVariable` of an expression delegate: where the worker's result goes. */
  readonly resultVariable?: string;
}

/** A value of an io parameter: a string is a literal or an expression; arrays and objects are
 *  Camunda 7 `camunda:list` / `camunda:map`; null is an empty Camunda 7 parameter. */
export type IoValue = string | null | readonly IoValue[] | { readonly [key: string]: IoValue };

export interface IoParameter {
  readonly target: string;
  readonly source: IoValue;
}

/** Zeebe: inputs create local variables, outputs (evaluated on the result) set variables in the parent
 *  scope and, when present, are the only way results reach it. Camunda 7: inputs create local
 *  variables, outputs copy from the activity's local scope to the parent. `dialect` says which. */
export interface IoMapping {
  readonly inputs: readonly IoParameter[];
  readonly outputs: readonly IoParameter[];
}

/** Union of literal names and expressions; each expression yields a name, a list or a comma list. */
export interface CandidateSpec {
  readonly literals: readonly string[];
  readonly expressions: readonly string[];
}

export interface FormFieldSpec {
  readonly id: string;
  readonly label?: string;
  readonly type: string;
  readonly defaultValue?: string;
  readonly required: boolean;
  readonly constraints: readonly { readonly name: string; readonly config?: string }[];
  readonly values: readonly { readonly id: string; readonly name?: string }[];
}

export interface FormSpec {
  /** zeebe formKey / formId or camunda:formKey: an external form the tasklist resolves. */
  readonly formKey?: string;
  readonly formId?: string;
  /** form-js JSON schema embedded through zeebe:userTaskForm. */
  readonly schema?: unknown;
  /** Camunda 7 camunda:formData fields. */
  readonly fields?: readonly FormFieldSpec[];
}

export interface UserTaskSpec {
  readonly assignee?: string;
  readonly candidateUsers: CandidateSpec;
  readonly candidateGroups: CandidateSpec;
  /** ISO date, ISO duration from creation, or an expression. */
  readonly dueDate?: string;
  readonly followUpDate?: string;
  readonly priority?: string;
  readonly form?: FormSpec;
  /** Notification headers (template, to, cc, remindAfter, escalateAfter...). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface MultiInstanceSpec {
  readonly sequential: boolean;
  /** An expression yielding the collection (Camunda 7 bare variable names are turned into `${name}`). */
  readonly inputCollection?: string;
  readonly inputElement?: string;
  /** Variable name receiving the collected outputs. */
  readonly outputCollection?: string;
  readonly outputElement?: string;
  readonly loopCardinality?: string;
  readonly completionCondition?: string;
}

export type CallVariableMapping =
  | { readonly kind: 'all'; readonly local: boolean }
  | { readonly kind: 'variable'; readonly source: string; readonly target: string; readonly local: boolean }
  | { readonly kind: 'expression'; readonly expression: string; readonly target: string; readonly local: boolean }
  | { readonly kind: 'businessKey'; readonly expression: string }
  /** Camunda 7's idiom `businessKey="${execution.processBusinessKey}"`: the child gets the parent's. */
  | { readonly kind: 'inheritBusinessKey' };

export interface CalledElementSpec {
  /** Process key, literal or expression. */
  readonly processId: string;
  readonly binding: 'latest' | 'deployment' | 'version' | 'versionTag';
  readonly version?: string;
  readonly versionTag?: string;
  /** Zeebe defaults both to true; Camunda 7 only with `camunda:in/out variables="all"`. */
  readonly propagateAllParentVariables: boolean;
  readonly propagateAllChildVariables: boolean;
  /** Camunda 7 camunda:in / camunda:out (zeebe uses the io mapping instead). */
  readonly inMappings: readonly CallVariableMapping[];
  readonly outMappings: readonly CallVariableMapping[];
}

export interface ScriptSpec {
  /** A FEEL (`=`) or `${}` expression; never code. */
  readonly expression: string;
  readonly resultVariable?: string;
}

interface NodeBase {
  readonly id: string;
  readonly name?: string;
  /** The enclosing scope: the process id, a subProcess id or an eventSubProcess id. */
  readonly parentId: string;
  readonly incoming: readonly string[];
  readonly outgoing: readonly string[];
  readonly ioMapping?: IoMapping;
}

interface ActivityBase extends NodeBase {
  readonly boundaryEventIds: readonly string[];
  readonly defaultFlow?: string;
  readonly multiInstance?: MultiInstanceSpec;
}

export interface StartEventNode extends NodeBase {
  readonly kind: 'startEvent';
  readonly eventDefinition?: EventDefinition;
  /** Only meaningful on an event subprocess start event. */
  readonly interrupting: boolean;
  readonly form?: FormSpec;
  /** Camunda 7 camunda:initiator: variable receiving the starting user's id. */
  readonly initiatorVariable?: string;
}
export interface EndEventNode extends NodeBase {
  readonly kind: 'endEvent';
  readonly eventDefinition?: EventDefinition;
  /** Message end events are jobs, as in Zeebe. */
  readonly job?: JobSpec;
}
export interface IntermediateCatchEventNode extends NodeBase {
  readonly kind: 'intermediateCatchEvent';
  readonly eventDefinition: EventDefinition;
}
export interface IntermediateThrowEventNode extends NodeBase {
  readonly kind: 'intermediateThrowEvent';
  readonly eventDefinition?: EventDefinition;
  readonly job?: JobSpec;
}
export interface BoundaryEventNode extends NodeBase {
  readonly kind: 'boundaryEvent';
  readonly attachedTo: string;
  readonly cancelActivity: boolean;
  readonly eventDefinition: EventDefinition;
}
export interface GatewayNode extends NodeBase {
  readonly kind: 'exclusiveGateway' | 'parallelGateway' | 'inclusiveGateway' | 'eventBasedGateway';
  readonly defaultFlow?: string;
}
export interface SubProcessNode extends ActivityBase {
  readonly kind: 'subProcess';
}
export interface EventSubProcessNode extends NodeBase {
  readonly kind: 'eventSubProcess';
  /** Its single start event (id in `elements`, parentId = this event subprocess). */
  readonly startEventId: string;
}
export interface CallActivityNode extends ActivityBase {
  readonly kind: 'callActivity';
  readonly calledElement: CalledElementSpec;
}
export interface UserTaskNode extends ActivityBase {
  readonly kind: 'userTask';
  readonly userTask: UserTaskSpec;
}
export interface ServiceTaskNode extends ActivityBase {
  readonly kind: 'serviceTask' | 'businessRuleTask';
  /** Either a job, or (Camunda 7 `camunda:expression` with a plain value) an inline expression. */
  readonly job?: JobSpec;
  readonly script?: ScriptSpec;
}
export interface SendTaskNode extends ActivityBase {
  readonly kind: 'sendTask';
  /** With a job type it is a job; without, Flowdesk sends the mail named by `headers.template`. */
  readonly job?: JobSpec;
  readonly headers: Readonly<Record<string, string>>;
}
export interface ReceiveTaskNode extends ActivityBase {
  readonly kind: 'receiveTask';
  readonly message: Extract<EventDefinition, { type: 'message' }>;
}
export interface ScriptTaskNode extends ActivityBase {
  readonly kind: 'scriptTask';
  readonly script?: ScriptSpec;
  /** zeebe script tasks may be jobs instead. */
  readonly job?: JobSpec;
}
export interface PlainTaskNode extends ActivityBase {
  readonly kind: 'task' | 'manualTask';
}

export type FlowNode =
  | StartEventNode
  | EndEventNode
  | IntermediateCatchEventNode
  | IntermediateThrowEventNode
  | BoundaryEventNode
  | GatewayNode
  | SubProcessNode
  | EventSubProcessNode
  | CallActivityNode
  | UserTaskNode
  | ServiceTaskNode
  | SendTaskNode
  | ReceiveTaskNode
  | ScriptTaskNode
  | PlainTaskNode;

export type FlowNodeOfKind<K extends ElementKind> = Extract<FlowNode, { kind: K }>;

export interface SequenceFlowModel {
  readonly id: string;
  readonly name?: string;
  readonly sourceId: string;
  readonly targetId: string;
  /** Expression text; absent means unconditional. */
  readonly condition?: string;
  readonly isDefault: boolean;
}

export interface ScopeModel {
  readonly id: string;
  readonly kind: 'process' | 'subProcess' | 'eventSubProcess';
  /** Undefined for the process itself. */
  readonly parentId?: string;
  /** Flow nodes directly inside (boundary events included, nested scopes' children not). */
  readonly childIds: readonly string[];
  readonly startEventIds: readonly string[];
  /** At most one none start event per scope, as in Camunda. */
  readonly noneStartEventId?: string;
  readonly eventSubProcessIds: readonly string[];
}

export interface ProcessModel {
  /** The BPMN process id: the definition key. */
  readonly id: string;
  readonly name?: string;
  readonly dialect: Dialect;
  readonly versionTag?: string;
  readonly elements: Readonly<Record<string, FlowNode>>;
  readonly flows: Readonly<Record<string, SequenceFlowModel>>;
  /** Keyed by scope id; the process's own scope is `scopes[id]`. */
  readonly scopes: Readonly<Record<string, ScopeModel>>;
  /** camunda:candidateStarterUsers/Groups and potentialStarter: who may start it besides admin/integrator. */
  readonly starters: { readonly users: readonly string[]; readonly groups: readonly string[] };
}

/** The start events of the process scope, by trigger: what deployments schedule or subscribe. */
export function processStartEvents(model: ProcessModel): {
  none?: StartEventNode;
  timer: StartEventNode[];
  message: StartEventNode[];
  signal: StartEventNode[];
} {
  const scope = model.scopes[model.id];
  const out: ReturnType<typeof processStartEvents> = { timer: [], message: [], signal: [] };
  for (const id of scope?.startEventIds ?? []) {
    const node = model.elements[id];
    if (node?.kind !== 'startEvent') continue;
    const type = node.eventDefinition?.type;
    if (type === undefined) out.none = node;
    else if (type === 'timer' || type === 'message' || type === 'signal') out[type].push(node);
  }
  return out;
}
