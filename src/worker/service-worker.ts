// A small typed helper for Node workers. Optional: a plain bullmq Worker does the same (see
// docs/workers.md); this only names the job data and the return conventions. It imports nothing of
// the engine, so a worker project can copy this file as it is.
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/** `job.data` of every Flowdesk job. */
export interface FlowdeskJob<V extends Record<string, unknown> = Record<string, unknown>> {
  readonly processInstanceId: string;
  readonly elementId: string;
  readonly jobKey: string;
  readonly businessKey: string | null;
  readonly definitionKey: string;
  /** Every variable visible in the task's scope, after input mappings. */
  readonly variables: V;
  /** `zeebe:taskHeaders` / `camunda:properties` of the task. */
  readonly headers: Record<string, string>;
}

/** A business error for the model to catch (error boundary event, error event subprocess). */
export interface BpmnErrorResult {
  readonly $bpmnError: { readonly code: string; readonly message?: string; readonly variables?: Record<string, unknown> };
}

/** Variables to merge into the process, nothing (null/undefined), or a BPMN error. Throw for technical failures (retried). */
export type ServiceTaskResult = Record<string, unknown> | BpmnErrorResult | null | undefined | void;

export type ServiceTaskHandler<V extends Record<string, unknown> = Record<string, unknown>> = (
  job: FlowdeskJob<V>,
  raw: Job<FlowdeskJob<V>>,
) => ServiceTaskResult | Promise<ServiceTaskResult>;

export function bpmnError(code: string, message?: string, variables?: Record<string, unknown>): BpmnErrorResult {
  return { $bpmnError: { code, ...(message !== undefined ? { message } : {}), ...(variables !== undefined ? { variables } : {}) } };
}

export interface ServiceWorkerOptions {
  /** A ready ioredis client with `maxRetriesPerRequest: null` (the worker duplicates it; you close it). */
  readonly connection: Redis;
  /** Must match Flowdesk's BULLMQ_PREFIX (default `bull`). */
  readonly prefix?: string;
  readonly concurrency?: number;
}

/** A BullMQ worker for one job type (= queue name). */
export function createServiceWorker<V extends Record<string, unknown> = Record<string, unknown>>(
  jobType: string,
  handler: ServiceTaskHandler<V>,
  options: ServiceWorkerOptions,
): Worker<FlowdeskJob<V>> {
  return new Worker<FlowdeskJob<V>>(jobType, async (job) => (await handler(job.data, job)) ?? null, {
    connection: options.connection,
    prefix: options.prefix ?? 'bull',
    concurrency: options.concurrency ?? 8,
  });
}
