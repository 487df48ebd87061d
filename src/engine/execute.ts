// The entry point: execute(model, state, command, { now, newId }) → { state, effects, events }.
// Pure: the input state is cloned, never mutated; time and ids come from the context.

import type { ProcessModel } from '../bpmn/process-model.js';
import * as commands from './commands.js';
import { EngineError } from './errors.js';
import { Run } from './run.js';
import type { ChildResultCommand, Command, ExecuteContext, ExecuteResult, InstanceState } from './types.js';

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
  'childNotStarted',
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

const CHILD_RESULTS = new Set<Command['type']>(['childCompleted', 'childFailed', 'childEscalated']);
const isChildResult = (command: Command): command is ChildResultCommand => CHILD_RESULTS.has(command.type);

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
  if (state.suspended && state.status === 'active' && isChildResult(command)) {
    // The child has moved on and will not report again: keep its result for the resume.
    const deferred = structuredClone(state);
    deferred.deferred = [...(deferred.deferred ?? []), structuredClone(command)];
    return { state: deferred, effects: [], events: [] };
  }
  guard(state, command);
  const run = new Run(model, structuredClone(state), context.now, context.newId);
  apply(run, command);
  run.drain();
  return { state: run.state, effects: run.effects, events: run.events };
}

function apply(run: Run, command: Exclude<Command, { type: 'start' }>): void {
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
    case 'childNotStarted':
      commands.childNotStarted(run, command);
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
        applyDeferred(run);
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
}

/** On resume: the children's results that arrived while suspended, in arrival order. */
function applyDeferred(run: Run): void {
  const deferred = run.state.deferred ?? [];
  delete run.state.deferred;
  for (const command of deferred) {
    if (run.state.status !== 'active') return;
    run.drain();
    try {
      apply(run, command);
    } catch (error) {
      // The call activity stopped waiting for that child meanwhile: its result changes nothing.
      if (!(error instanceof EngineError && error.code === 'stale')) throw error;
    }
  }
}
