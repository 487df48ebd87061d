import { isEngineError } from './errors.js';
import { execute } from './execute.js';
import { activeElements } from './queries.js';
import { chain, flow, serviceTask, zeebe } from './testing/bpmn.js';
import { Harness } from './testing/harness.js';

const roots = `<bpmn:message id="M1" name="order-received"/>`;
const xml = zeebe(
  `
  <bpmn:startEvent id="s"/>
  <bpmn:startEvent id="byMessage"><bpmn:messageEventDefinition messageRef="M1"/></bpmn:startEvent>
  <bpmn:exclusiveGateway id="merge"/>
  <bpmn:parallelGateway id="fork"/>
  ${serviceTask('job', 'work')}
  <bpmn:userTask id="task"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:parallelGateway id="join"/>
  <bpmn:endEvent id="e"/>
  ${flow('f0', 's', 'merge')}${flow('fm', 'byMessage', 'merge')}${flow('fx', 'merge', 'fork')}
  ${flow('f1', 'fork', 'job')}${flow('f2', 'fork', 'task')}${flow('f3', 'fork', 'wait')}
  ${flow('j1', 'job', 'join')}${flow('j2', 'task', 'join')}${flow('j3', 'wait', 'join')}${flow('fe', 'join', 'e')}
`,
  'p',
  roots,
);

const expectCode = (fn: () => unknown, code: string) => {
  try {
    fn();
  } catch (error) {
    expect(isEngineError(error) && error.code).toBe(code);
    return;
  }
  throw new Error(`expected EngineError ${code}`);
};

describe('execute: instance commands', () => {
  it('start records instance.started and element events; the state is plain JSON', async () => {
    const h = await Harness.of(xml);
    h.start({ a: 1 }, { businessKey: 'BK' });
    expect(h.events[0]).toEqual({ type: 'instance.started', data: { startEventId: 's', businessKey: 'BK' } });
    expect(h.state?.businessKey).toBe('BK');
    expect(JSON.parse(JSON.stringify(h.state))).toEqual(h.state);
    expect(activeElements(h.state!).map((a) => a.elementId).sort()).toEqual(['job', 'task', 'wait']);
  });

  it('starts at a given message start event; an unknown start event is refused', async () => {
    const h = await Harness.of(xml);
    h.start({}, { startEventId: 'byMessage' });
    expect(h.path()[0]).toBe('byMessage');
    const other = await Harness.of(xml);
    expectCode(() => other.start({}, { startEventId: 'nope' }), 'unknown-start-event');
  });

  it('cancel cancels every open task, job and timer and ends the instance', async () => {
    const h = await Harness.of(xml);
    h.start();
    h.run({ type: 'cancel' });
    const types = h.last.effects.map((e) => e.type).sort();
    expect(types).toEqual(['cancelJob', 'cancelTimer', 'cancelUserTask', 'instanceEnded']);
    expect(h.status).toBe('canceled');
    expect(h.state?.elements).toEqual({});
    expect(h.state?.waits).toEqual({});
    expect(h.eventsOf('instance.canceled')).toHaveLength(1);
    expectCode(() => h.run({ type: 'cancel' }), 'instance-not-active');
    expectCode(() => h.run({ type: 'completeJob', jobKey: 'anything' }), 'stale');
  });

  it('cancel resolves open incidents', async () => {
    const h = await Harness.of(xml);
    h.start();
    h.failJob('job');
    h.run({ type: 'cancel' });
    expect(h.effectsOf('resolveIncident', h.last.effects)).toHaveLength(1);
    expect(h.state?.incidents).toEqual({});
  });

  it('suspend refuses everything but resume, cancel and setVariables', async () => {
    const h = await Harness.of(xml);
    h.start();
    h.run({ type: 'suspend' });
    expect(h.state?.suspended).toBe(true);
    expect(h.eventsOf('instance.suspended')).toHaveLength(1);
    expectCode(() => h.completeJob('job'), 'instance-suspended');
    expectCode(() => h.completeTask('task'), 'instance-suspended');
    expectCode(() => h.fireTimer('wait'), 'instance-suspended');
    h.run({ type: 'setVariables', variables: { x: 1 } });
    h.run({ type: 'resume' });
    expect(h.eventsOf('instance.resumed')).toHaveLength(1);
    h.completeJob('job');
    h.completeTask('task');
    h.fireTimer('wait');
    expect(h.status).toBe('completed');
    expect(h.variables).toEqual({ x: 1 });
  });

  it('setVariables merges into the root scope or into one live local scope', async () => {
    const h = await Harness.of(xml);
    h.start({ a: 1, b: 2 });
    h.run({ type: 'setVariables', variables: { b: 3, c: 4 } });
    expect(h.variables).toEqual({ a: 1, b: 3, c: 4 });
    const task = Object.values(h.state!.elements).find((e) => e.elementId === 'task')!;
    h.run({ type: 'setVariables', variables: { local: true }, elementInstanceId: task.id });
    expect(h.state!.elements[task.id].variables).toEqual({ local: true });
    expectCode(() => h.run({ type: 'setVariables', variables: {}, elementInstanceId: 'gone' }), 'unknown-element-instance');
  });

  it('refuses commands that do not fit the state', async () => {
    const h = await Harness.of(xml);
    const ctx = { now: new Date(), newId: () => 'x' };
    expectCode(() => execute(h.model, null, { type: 'completeJob', jobKey: 'j' }, ctx), 'not-started');
    h.start();
    expectCode(() => execute(h.model, h.state, { type: 'start' }, ctx), 'already-started');
    expectCode(() => h.run({ type: 'retryIncident', incidentKey: 'nope' }), 'unknown-incident');
    expectCode(() => h.run({ type: 'completeUserTask', taskId: h.job('job') }), 'stale');
  });

  it('never mutates the state it is given', async () => {
    const h = await Harness.of(xml);
    h.start();
    const frozen = JSON.stringify(h.state);
    const result = execute(h.model, h.state, { type: 'completeJob', jobKey: h.job('job'), variables: { y: 1 } }, { now: h.now, newId: h.newId });
    expect(JSON.stringify(h.state)).toBe(frozen);
    expect(result.state).not.toBe(h.state);
  });
});
