// The entry point: execute(model, state, command, { now, newId }) → { state, effects, events }.
// Pure: the input state is cloned, never mutated; time and ids come from the context.

import type { ProcessModel } from '../bpmn/process-model.js';
import * as commands from './commands.js';
import { EngineError } from './errors.js';
import { Run } from './run.js';
import type { Command, ExecuteContext, ExecuteResult, InstanceState } from './types.js';

const WAIT_COMMANDS = new Set<Command['type']>([
  'completeUserTask',
  'completeJob',
  'throwError',
  'failJob',
  'fireTimer',
  'deliverSignal',
  'deliverMessage',
  'childCompleted',
  'childFailed',
  'childEscalated',
]);

export function initialState(model: ProcessModel, command: Extract<Command, { type: 'start' }>, now: Date): InstanceState {
  return {
    schema: 1,
    definitionKey: model.id,
    status: 'active',
    suspended: false,
    ...(command.businessKey !== undefined ? { businessKey: command.businessKey } : {}),
    ...(command.parent ? { parent: { ...command.parent } } : {}),
    startedAt: now.toISOString(),
    variables: {},
    elements: {},
    waits: {},
    rootWaits: [],
    joins: {},
    incidents: {},
  };
}

function guard(state: InstanceState, command: Command): void {
  if (WAIT_COMMANDS.has(command.type)) {
    // A result for an instance that moved on (canceled, completed) changes nothing.
    if (state.status !== 'active') throw new EngineError('stale', `instance is ${state.status}`);
    if (state.suspended) throw new EngineError('instance-suspended', 'instance is suspended');
    return;
  }
  if (state.status !== 'active') throw new EngineError('instance-not-active', `instance is ${state.status}`);
  if (state.suspended && command.type === 'retryIncident') throw new EngineError('instance-suspended', 'instance is suspended');
}

export function execute(model: ProcessModel, state: InstanceState | null, command: Command, context: ExecuteContext): ExecuteResult {
  if (command.type === 'start') {
    if (state) throw new EngineError('already-started', 'start on an instance that exists');
    const run = new Run(model, initialState(model, command, context.now), context.now, context.newId);
    commands.startInstance(run, command);
    run.drain();
    return { state: run.state, effects: run.effects, events: run.events };
  }
  if (!state) throw new EngineError('not-started', `'${command.type}' needs an instance state`);
  if (state.definitionKey !== model.id) throw new EngineError('model-mismatch', `state of '${state.definitionKey}' run on model '${model.id}'`);
  guard(state, command);
  const run = new Run(model, structuredClone(state), context.now, context.newId);
  switch (command.type) {
    case 'completeUserTask':
      commands.completeUserTask(run, command);
      break;
    case 'completeJob':
      commands.completeJob(run, command);
      break;
    case 'throwError':
      commands.throwJobError(run, command);
      break;
    case 'failJob':
      commands.failJob(run, command);
      break;
    case 'fireTimer':
      commands.fireTimer(run, command);
      break;
    case 'deliverSignal':
    case 'deliverMessage':
      commands.deliver(run, command);
      break;
    case 'childCompleted':
      commands.childCompleted(run, command);
      break;
    case 'childFailed':
      commands.childFailed(run, command);
      break;
    case 'childEscalated':
      commands.childEscalated(run, command);
      break;
    case 'cancel':
      commands.cancelInstance(run, command);
      break;
    case 'suspend':
      if (!run.state.suspended) {
        run.state.suspended = true;
        run.record('instance.suspended');
      }
      break;
    case 'resume':
      if (run.state.suspended) {
        run.state.suspended = false;
        run.record('instance.resumed');
      }
      break;
    case 'setVariables':
      commands.setVariables(run, command);
      break;
    case 'retryIncident':
      commands.retryIncident(run, command);
      break;
    default: {
      const never: never = command;
      throw new EngineError('invalid-command', `unknown command ${JSON.stringify(never)}`);
    }
  }
  run.drain();
  return { state: run.state, effects: run.effects, events: run.events };
}
