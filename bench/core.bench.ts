// (a) The pure engine core, no I/O: execute(model, state, command, { now, newId }) in a loop.
import { randomUUID } from 'node:crypto';
import { parseBpmn, type ProcessModel } from '../src/bpmn/index.js';
import { execute, type Command, type ExecuteContext, type ExecuteResult, type InstanceState } from '../src/engine/index.js';
import { measure, rateFigure, type Figure, type Section } from './lib.js';
import { type BenchModel, CHAIN_LENGTH, FEEL_GATEWAY, FEEL_GATEWAY_VARIABLES, TASK_CHAIN, USER_TASK, USER_TASK_CHAIN } from './models.js';

export async function compile(model: BenchModel): Promise<ProcessModel> {
  const parsed = await parseBpmn(model.xml);
  if (!parsed.ok) throw new Error(`${model.key}: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.processes[0]!;
}

// As the runtime does: one Date per command, UUIDs for ids.
const context = (): ExecuteContext => ({ now: new Date(), newId: randomUUID });
const START: Command = { type: 'start', variables: {} };

function openTaskId(result: ExecuteResult): string {
  const effect = result.effects.find((e) => e.type === 'createUserTask');
  if (!effect || effect.type !== 'createUserTask') throw new Error('no user task was created');
  return effect.taskId;
}

/** Start, then complete the chain's user tasks one by one; returns the final state. */
export function runUserTaskChain(model: ProcessModel): InstanceState {
  let result = execute(model, null, START, context());
  for (let i = 0; i < CHAIN_LENGTH; i++) {
    result = execute(model, result.state, { type: 'completeUserTask', taskId: openTaskId(result), variables: {} }, context());
  }
  return result.state;
}

export const coreSection: Section = {
  name: 'core',
  title: '(a) Flowdesk engine core (pure, in-process, no I/O)',
  async run(): Promise<Figure[]> {
    const [userTask, userTaskChain, taskChain, feel] = await Promise.all([USER_TASK, USER_TASK_CHAIN, TASK_CHAIN, FEEL_GATEWAY].map(compile));

    // Sanity: each model ends where we claim, before anything is timed.
    openTaskId(execute(userTask!, null, START, context()));
    if (runUserTaskChain(userTaskChain!).status !== 'completed') throw new Error('user-task chain did not complete');
    if (execute(taskChain!, null, START, context()).state.status !== 'completed') throw new Error('task chain did not complete');
    const feelStart: Command = { type: 'start', variables: FEEL_GATEWAY_VARIABLES };
    const feelFirst = execute(feel!, null, feelStart, context());
    openTaskId(feelFirst);
    if (!feelFirst.events.some((e) => e.type === 'element.entered' && e.elementId === 'review')) throw new Error('FEEL gateway did not reach the task');

    const start = await measure(() => {
      execute(userTask!, null, START, context());
      return 1;
    });
    const steps = await measure(() => {
      runUserTaskChain(userTaskChain!);
      return CHAIN_LENGTH;
    });
    const passThrough = await measure(() => {
      execute(taskChain!, null, START, context());
      return CHAIN_LENGTH + 2;
    });
    const feelStarts = await measure(() => {
      execute(feel!, null, feelStart, context());
      return 1;
    });
    return [
      rateFigure('start', `instances/s to a user-task wait (${USER_TASK.description})`, 'inst/s', start),
      rateFigure('step', `steps/s, ${CHAIN_LENGTH}-user-task chain (step = complete task → next task waits)`, 'steps/s', steps, 'incl. 1 start per 100 steps'),
      rateFigure('activity', `flow nodes/s, ${CHAIN_LENGTH}-task pass-through chain (1 start runs ${CHAIN_LENGTH + 2} nodes)`, 'nodes/s', passThrough),
      rateFigure('start-feel', `instances/s to a user-task wait (${FEEL_GATEWAY.description})`, 'inst/s', feelStarts, 'Flowdesk only: bpmn-engine has no FEEL'),
    ];
  },
};
