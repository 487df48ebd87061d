// Row shapes the runtime writes for engine effects. Plain data; the transaction turns them into
// multi-row statements, so a step costs a handful of round trips whatever it touched.

export type InstanceStatusColumn = 'active' | 'completed' | 'terminated' | 'canceled' | 'suspended' | 'incident';

export interface InstanceRow {
  id: string;
  definitionId: string;
  definitionKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: InstanceStatusColumn;
  rootInstanceId: string;
  parentInstanceId: string | null;
  parentElementInstanceId: string | null;
  state: unknown;
  startedBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  updatedAt: Date;
}

export interface UserTaskRow {
  id: string;
  processInstanceId: string;
  elementId: string;
  elementInstanceId: string;
  name: string | null;
  definitionKey: string;
  businessKey: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  priority: number;
  dueAt: string | null;
  followUpAt: string | null;
  formKey: string | null;
  form: unknown;
  headers: Record<string, string>;
  createdAt: Date;
}

export interface JobRow {
  key: string;
  processInstanceId: string;
  elementId: string;
  elementInstanceId: string;
  type: string;
  retries: number;
  headers: Record<string, string>;
  variables: Record<string, unknown>;
  createdAt: Date;
}

export interface TimerRow {
  key: string;
  /** Default `engine` (a BPMN timer event); `task-deadline` rows also carry their task. */
  kind?: 'engine' | 'task-deadline';
  taskId?: string | null;
  processInstanceId: string | null;
  definitionId: string | null;
  elementId: string;
  elementInstanceId: string | null;
  dueAt: string;
  timer: unknown;
  createdAt: Date;
}

export interface SubscriptionRow {
  key: string;
  processInstanceId: string | null;
  definitionId: string | null;
  eventType: 'message' | 'signal';
  name: string;
  correlationKey: string | null;
  elementId: string;
  elementInstanceId: string | null;
  interrupting: boolean;
  createdAt: Date;
}

export interface IncidentRow {
  id: string;
  processInstanceId: string;
  elementId: string;
  elementInstanceId: string;
  type: string;
  message: string;
  jobKey: string | null;
  createdAt: Date;
}

export interface OutboxRow {
  kind: string;
  processInstanceId: string | null;
  payload: unknown;
  createdAt: Date;
}

export interface HistoryRow {
  processInstanceId: string;
  at: Date;
  type: string;
  elementId: string | null;
  elementInstanceId: string | null;
  actor: string | null;
  data: unknown;
}

/** Everything one command writes besides the instance document itself. */
export class RowBatch {
  readonly userTasks: UserTaskRow[] = [];
  readonly canceledUserTasks: string[] = [];
  /** `holder`: the completion is the worklist's on behalf of this user, who must still hold the task. */
  readonly completedUserTasks: { id: string; actor: string | null; holder: string | null }[] = [];
  readonly jobs: JobRow[] = [];
  readonly endedJobs: { key: string; state: 'completed' | 'failed' | 'canceled' }[] = [];
  readonly timers: TimerRow[] = [];
  readonly canceledTimers: string[] = [];
  readonly firedTimers: string[] = [];
  readonly subscriptions: SubscriptionRow[] = [];
  readonly closedSubscriptions: string[] = [];
  readonly incidents: IncidentRow[] = [];
  readonly resolvedIncidents: string[] = [];
  readonly outbox: OutboxRow[] = [];
  readonly history: HistoryRow[] = [];
  /** Buffered messages delivered in this command (src/events): marked correlated at flush. */
  readonly correlatedMessages: { id: string; instanceId: string; elementId: string }[] = [];
}
