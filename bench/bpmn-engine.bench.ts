// (b) The npm package bpmn-engine (v25, bpmn-elements underneath) on the same BPMN files.
// Parsed once: the XML is read by bpmn-moddle and serialised by moddle-context-serializer (the
// way bpmn-engine's own docs pre-parse), and every instance is a new Engine on that sourceContext.
// An Engine runs one execution, so one Engine per instance is how it runs many instances.
import { EventEmitter } from 'node:events';
import * as Elements from 'bpmn-elements';
import { Engine } from 'bpmn-engine';
import { BpmnModdle } from 'bpmn-moddle';
import serialize, { TypeResolver } from 'moddle-context-serializer';
import { measure, rateFigure, type Figure, type Section } from './lib.js';
import { type BenchModel, CHAIN_LENGTH, LONG_TASK_CHAIN, LONG_TASK_CHAIN_LENGTH, TASK_CHAIN, USER_TASK, USER_TASK_CHAIN } from './models.js';

type SourceContext = ReturnType<typeof serialize>;

interface WaitApi {
  readonly id: string;
  signal(message?: unknown): void;
}

const typeResolver = TypeResolver(Elements as unknown as Record<string, unknown>);

async function sourceContext(model: BenchModel): Promise<SourceContext> {
  const moddleContext = await new BpmnModdle().fromXML(model.xml);
  return serialize(moddleContext as never, typeResolver);
}

/** A new Engine on the pre-parsed context, run until its first wait (or its end). */
async function startEngine(source: SourceContext): Promise<{ engine: Engine; next: () => WaitApi | null }> {
  const engine = new Engine({ name: 'bench', sourceContext: source });
  const listener = new EventEmitter();
  let waiting: WaitApi | null = null;
  listener.on('wait', (api: WaitApi) => {
    waiting = api;
  });
  await engine.execute({ listener });
  // bpmn-elements runs synchronously between waits: after execute()/signal() the next wait (if
  // any) has already been emitted.
  return {
    engine,
    next: () => {
      const api = waiting;
      waiting = null;
      return api;
    },
  };
}

async function runUserTaskChain(source: SourceContext): Promise<string> {
  const { engine, next } = await startEngine(source);
  for (let i = 0; i < CHAIN_LENGTH; i++) {
    const api = next();
    if (!api) throw new Error(`bpmn-engine: no wait at step ${i + 1}`);
    api.signal();
  }
  return engine.state;
}

export const bpmnEngineSection: Section = {
  name: 'bpmn-engine',
  title: '(b) npm bpmn-engine v25 on the same BPMN files (pre-parsed sourceContext, one Engine per instance)',
  async run(): Promise<Figure[]> {
    const [userTask, userTaskChain, taskChain] = await Promise.all([USER_TASK, USER_TASK_CHAIN, TASK_CHAIN].map(sourceContext));

    // Sanity: the same end points as the core section.
    const first = await startEngine(userTask!);
    if (first.next()?.id !== 't1') throw new Error('bpmn-engine did not wait on the user task');
    if ((await runUserTaskChain(userTaskChain!)) !== 'idle') throw new Error('bpmn-engine: user-task chain did not complete');
    const passed = await startEngine(taskChain!);
    if (passed.engine.state !== 'idle' || passed.next() !== null) throw new Error('bpmn-engine: task chain did not complete');

    const start = await measure(async () => {
      const { next } = await startEngine(userTask!);
      if (!next()) throw new Error('no wait');
      return 1;
    });
    const steps = await measure(async () => {
      await runUserTaskChain(userTaskChain!);
      return CHAIN_LENGTH;
    });
    const passThrough = await measure(async () => {
      await startEngine(taskChain!);
      return CHAIN_LENGTH + 2;
    });

    // DESIGN.md: a synchronous chain of ~330 tasks overflows its stack. Probe once, untimed.
    let probe: string;
    try {
      const long = await startEngine(await sourceContext(LONG_TASK_CHAIN));
      probe = `${LONG_TASK_CHAIN_LENGTH}-task chain: ${long.engine.state === 'idle' ? 'completed' : `ended in state ${long.engine.state}`}`;
    } catch (error) {
      probe = `${LONG_TASK_CHAIN_LENGTH}-task chain: ${(error as Error).name}: ${(error as Error).message}`;
    }

    return [
      rateFigure('start', `instances/s to a user-task wait (${USER_TASK.description})`, 'inst/s', start),
      rateFigure('step', `steps/s, ${CHAIN_LENGTH}-user-task chain (step = signal task → next task waits)`, 'steps/s', steps, 'incl. 1 start per 100 steps'),
      rateFigure('activity', `flow nodes/s, ${CHAIN_LENGTH}-task pass-through chain (1 start runs ${CHAIN_LENGTH + 2} nodes)`, 'nodes/s', passThrough),
      { key: 'long-chain', label: 'stack-depth probe (untimed)', value: NaN, unit: '', note: probe },
    ];
  },
};
