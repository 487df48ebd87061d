// (d) Signal fan-out: POST /api/signals (SignalsService.broadcast) to 10,000 waiting instances on
// a fresh database, as issue 7 asks (< 10 s on this machine). Two models: a signal catch event
// that ends the instance, and an interrupting signal boundary event on a user task that opens
// another user task (cancel one task, create one: the order-fulfilment "warehouse closed" shape).
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import type { CachedDefinition } from '../src/runtime/model-cache.js';
import { dropDatabase, freshBenchDatabase } from './databases.js';
import { enableDecoratorMetadata } from './decorator-metadata.js';
import { fmt, type Figure, type Section } from './lib.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const INSTANCES = Number(process.env.BENCH_SIGNAL_INSTANCES ?? 10_000);
const START_CONCURRENCY = 16;

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="http://flowdesk.bench"`;
const MODELS = [
  {
    key: 'bench_signal_catch',
    label: 'signal catch event → end',
    xml: `<bpmn:definitions ${NS} id="d1"><bpmn:signal id="S" name="bench-catch"/><bpmn:process id="bench_signal_catch" isExecutable="true">
      <bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/><bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/></bpmn:process></bpmn:definitions>`,
    signal: 'bench-catch',
  },
  {
    key: 'bench_signal_boundary',
    label: 'interrupting boundary on a user task → user task',
    xml: `<bpmn:definitions ${NS} id="d2"><bpmn:signal id="S" name="bench-closed"/><bpmn:process id="bench_signal_boundary" isExecutable="true">
      <bpmn:startEvent id="s"/><bpmn:userTask id="work"/><bpmn:endEvent id="e"/>
      <bpmn:boundaryEvent id="closed" attachedToRef="work"><bpmn:signalEventDefinition signalRef="S"/></bpmn:boundaryEvent><bpmn:userTask id="replan"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/><bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
      <bpmn:sequenceFlow id="f3" sourceRef="closed" targetRef="replan"/></bpmn:process></bpmn:definitions>`,
    signal: 'bench-closed',
  },
];

export const signalsSection: Section = {
  name: 'signals',
  title: `(d) Signal fan-out to ${fmt(INSTANCES)} waiting instances (SignalsService.broadcast as POST /api/signals runs it: 3 parts in parallel, 500 subscriptions per transaction)`,
  async run(): Promise<Figure[]> {
    enableDecoratorMetadata();
    const [{ createApp }, { loadConfig }, { DeploymentsService }, { DeploymentRepository }, { CommandExecutor }, { ModelCache }, { SignalsService }] = await Promise.all([
      import('../src/app.factory.js'),
      import('../src/config/config.js'),
      import('../src/deployments/deployments.service.js'),
      import('../src/persistence/deployment.repository.js'),
      import('../src/runtime/command-executor.js'),
      import('../src/runtime/model-cache.js'),
      import('../src/events/signals.service.js'),
    ]);
    const { name: databaseName, url } = await freshBenchDatabase({ dropStale: false });
    const config = loadConfig({
      DATABASE_URL: url,
      REDIS_URL,
      BULLMQ_PREFIX: `fdbench_${randomBytes(4).toString('hex')}`,
      AUTH_JWT_SECRET: randomBytes(24).toString('hex'),
      PROCESSES_DIR: 'test/fixtures/no-processes',
      LOG_LEVEL: 'error',
      PORT: '0',
    });
    let app: INestApplication | null = null;
    const db = new pg.Pool({ connectionString: url, max: 2 });
    try {
      app = await createApp(config);
      await app.init();
      const executor = app.get(CommandExecutor);
      const signals = app.get(SignalsService);
      const figures: Figure[] = [];
      for (const model of MODELS) {
        await app.get(DeploymentsService).deploy({ name: `${model.key}.bpmn`, resources: [{ name: `${model.key}.bpmn`, bytes: Buffer.from(model.xml) }], deployedBy: null });
        const entity = (await app.get(DeploymentRepository).latestDefinition(model.key))!;
        const definition: CachedDefinition = app.get(ModelCache).remember({ id: entity.id, key: entity.key, version: entity.version, deploymentId: entity.deploymentId, model: entity.model });
        let next = 0;
        await Promise.all(
          Array.from({ length: START_CONCURRENCY }, async () => {
            while (next++ < INSTANCES) await executor.start({ definition, actor: null });
          }),
        );
        await db.query('VACUUM ANALYZE');
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const result = await signals.broadcast(model.signal, { reason: 'bench' });
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        if (result.delivered !== INSTANCES) throw new Error(`broadcast delivered ${result.delivered}, expected ${INSTANCES}`);
        const [{ waiting }] = (await db.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM subscription WHERE state = 'open' AND name = $1`, [model.signal])).rows;
        if (waiting !== 0) throw new Error(`${waiting} subscriptions still open after the broadcast`);
        figures.push({
          key: `fanout-${model.key}`,
          label: `fan-out time, ${model.label}`,
          value: ms / 1000,
          unit: 's (lower is better)',
          usPerOp: (ms * 1000) / INSTANCES,
          cpuUsPerOp: (cpu.user + cpu.system) / INSTANCES,
          note: `${fmt(INSTANCES)} instances, delivered = ${fmt(result.delivered)}, ${fmt((INSTANCES * 1000) / ms)} deliveries/s, ≥ ${Math.ceil(INSTANCES / 500)} chunk transactions`,
        });
      }
      return figures;
    } finally {
      await db.end();
      if (app) await app.close();
      await dropDatabase(databaseName);
    }
  },
};
