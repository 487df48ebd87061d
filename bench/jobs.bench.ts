// (jobs) Service tasks through BullMQ: start → service task (a plain bullmq Worker in this process
// that returns at once) → user task, at concurrency 16; and the time from the worker's return to the
// engine having committed the next wait state (worker completes its job → BullMQ moves the result
// parent to wait → the engine-side results worker applies completeJob in one transaction).
// Fresh database and BullMQ prefix, created by the app's own start-up, dropped at the end.
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { CommandExecutor } from '../src/runtime/command-executor.js';
import { dropDatabase, freshBenchDatabase } from './databases.js';
import { enableDecoratorMetadata } from './decorator-metadata.js';
import { concurrently, type Figure, fmt, type Section, summarise } from './lib.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 16;
const WARMUP_MS = 1500;
const RUNS = 3;
const RUN_MS = 3000;
const JOB_TYPE = 'bench-echo';

const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://flowdesk.bench">
  <bpmn:process id="bench_service_task" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="${JOB_TYPE}" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="review" />
    <bpmn:userTask id="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/** The app's modules, imported only after enableDecoratorMetadata() (see decorator-metadata.ts). */
async function appModules() {
  enableDecoratorMetadata();
  const [{ createApp }, { loadConfig }, { DeploymentsService }, { DeploymentRepository }, { CommandExecutor }, { ModelCache }, { JobTransport }, { JobResults }] = await Promise.all([
    import('../src/app.factory.js'),
    import('../src/config/config.js'),
    import('../src/deployments/deployments.service.js'),
    import('../src/persistence/deployment.repository.js'),
    import('../src/runtime/command-executor.js'),
    import('../src/runtime/model-cache.js'),
    import('../src/jobs/job-transport.js'),
    import('../src/jobs/job-results.js'),
  ]);
  return { createApp, loadConfig, DeploymentsService, DeploymentRepository, CommandExecutor, ModelCache, JobTransport, JobResults };
}

/** Counts every statement node-postgres sends (TypeORM's included) until stopped. */
function countStatements(): { readonly count: number; stop(): void } {
  type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
  const original = pg.Client.prototype.query as unknown as QueryFn;
  const state = { count: 0 };
  (pg.Client.prototype as unknown as { query: QueryFn }).query = function (this: pg.Client, ...args: unknown[]) {
    state.count++;
    return original.apply(this, args);
  };
  return {
    get count() {
      return state.count;
    },
    stop: () => {
      (pg.Client.prototype as unknown as { query: QueryFn }).query = original;
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const jobsSection: Section = {
  name: 'jobs',
  title: '(jobs) Service tasks through BullMQ: start → service task (worker returns at once) → user task',
  async run(): Promise<Figure[]> {
    const m = await appModules();
    const { name: databaseName, url } = await freshBenchDatabase({ dropStale: false });
    const prefix = `fdbench_${randomBytes(4).toString('hex')}`;
    const config = m.loadConfig({
      DATABASE_URL: url,
      REDIS_URL,
      BULLMQ_PREFIX: prefix,
      AUTH_JWT_SECRET: randomBytes(24).toString('hex'),
      PROCESSES_DIR: 'test/fixtures/no-processes',
      LOG_LEVEL: 'error',
      PORT: '0',
    });
    let app: INestApplication | null = null;
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    let worker: Worker | null = null;
    try {
      app = await m.createApp(config);
      await app.init();
      await app.get(m.DeploymentsService).deploy({ name: 'bench.bpmn', resources: [{ name: 'bench.bpmn', bytes: Buffer.from(MODEL) }], deployedBy: null });
      const entity = await app.get(m.DeploymentRepository).latestDefinition('bench_service_task');
      if (!entity) throw new Error('bench model not deployed');
      const definition = app.get(m.ModelCache).remember({ id: entity.id, key: entity.key, version: entity.version, deploymentId: entity.deploymentId, model: entity.model });
      const executor: CommandExecutor = app.get(m.CommandExecutor);

      // The worker's return → the engine's commit of completeJob (the instance waits at the user task),
      // split at the moment the engine's results worker starts on the result (the BullMQ hop).
      const returnedAt = new Map<string, number>();
      const waiting = new Map<string, () => void>();
      const appliedEarly = new Set<string>();
      let latencies: number[] = [];
      let hops: number[] = [];
      let applies: number[] = [];
      const transport = app.get(m.JobTransport);
      const outcomeOf = transport.outcomeOf.bind(transport);
      transport.outcomeOf = async (parent) => {
        const t0 = returnedAt.get(parent.id ?? '');
        if (t0 !== undefined) hops.push(performance.now() - t0);
        return outcomeOf(parent);
      };
      // Wrapped where a result's transaction has committed (JobResults batches them).
      const results = app.get(m.JobResults);
      const apply = results.apply.bind(results);
      results.apply = async (ref, outcome) => {
        const started = performance.now();
        const applied = await apply(ref, outcome);
        applies.push(performance.now() - started);
        const t0 = returnedAt.get(ref.jobKey);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
        returnedAt.delete(ref.jobKey);
        const wake = waiting.get(ref.processInstanceId);
        if (wake) wake();
        else appliedEarly.add(ref.processInstanceId);
        return applied;
      };
      worker = new Worker(
        JOB_TYPE,
        async (job) => {
          returnedAt.set(job.id!, performance.now());
          return {};
        },
        { connection, prefix, concurrency: 32 },
      );
      await worker.waitUntilReady();

      const one = async () => {
        let applied!: () => void;
        const done = new Promise<void>((resolve) => (applied = resolve));
        const id = await executor.start({ definition, actor: null });
        if (appliedEarly.delete(id)) return;
        waiting.set(id, applied);
        let timer: NodeJS.Timeout | undefined;
        const stuck = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`instance ${id} did not reach its user task within 10 s`)), 10_000);
        });
        try {
          await Promise.race([done, stuck]);
        } finally {
          clearTimeout(timer);
          waiting.delete(id);
        }
      };
      await concurrently(CONCURRENCY, WARMUP_MS, one);
      latencies = [];
      hops = [];
      applies = [];
      const statements = countStatements();
      const runs = [];
      try {
        for (let i = 0; i < RUNS; i++) runs.push(await concurrently(CONCURRENCY, RUN_MS, one));
      } finally {
        statements.stop();
      }
      const measured = summarise(runs);
      const instances = runs.reduce((sum, run) => sum + run.ops, 0);
      const sorted = [...latencies].sort((a, b) => a - b);
      const hop = [...hops].sort((a, b) => a - b);
      const applied = [...applies].sort((a, b) => a - b);
      return [
        {
          key: 'service-task-c16',
          label: `instances/s, start → service task → user task, concurrency ${CONCURRENCY}`,
          value: measured.rate,
          unit: 'inst/s',
          usPerOp: measured.usPerOp,
          cpuUsPerOp: measured.cpuUsPerOp,
          spread: measured.spread,
          note: 'one process: app + in-process bullmq worker; CPU includes both',
        },
        { key: 'result-p50', label: "worker's return → next wait state committed, p50", value: percentile(sorted, 50), unit: 'ms', note: `${sorted.length} jobs` },
        { key: 'result-p99', label: "worker's return → next wait state committed, p99", value: percentile(sorted, 99), unit: 'ms', note: `max ${fmt(sorted[sorted.length - 1])} ms` },
        {
          key: 'result-split',
          label: '  of which BullMQ hop (return → engine starts on the result), p50',
          value: percentile(hop, 50),
          unit: 'ms',
          note: `p99 ${fmt(percentile(hop, 99))} ms; then applying it (batched completeJob transaction) p50 ${fmt(percentile(applied, 50))} ms, p99 ${fmt(percentile(applied, 99))} ms`,
        },
        {
          key: 'sql-per-instance',
          label: 'SQL statements per instance, all (start, outbox, dispatch, completeJob, pollers)',
          value: statements.count / instances,
          unit: 'stmts',
          note: 'incl. BEGIN/COMMIT',
        },
      ];
    } finally {
      await worker?.close();
      await app?.close();
      await connection.quit().catch(() => connection.disconnect());
      await dropDatabase(databaseName);
    }
  },
};
