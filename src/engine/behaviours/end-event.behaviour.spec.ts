import { chain, flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

describe('terminate end event', () => {
  it('at process level terminates every other token and ends the instance as terminated', async () => {
    const h = await Harness.of(
      zeebe(`
      <bpmn:startEvent id="s"/>
      <bpmn:parallelGateway id="fork"/>
      <bpmn:userTask id="slow"/>
      ${serviceTask('job', 'work')}
      <bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>
      <bpmn:endEvent id="e"/>
      ${flow('f1', 's', 'fork')}${flow('f2', 'fork', 'slow')}${flow('f3', 'fork', 'job')}${flow('f4', 'job', 'kill')}${flow('f5', 'slow', 'e')}
    `),
    );
    h.start();
    const taskId = h.task('slow');
    h.completeJob('job');
    expect(h.status).toBe('terminated');
    expect(h.effectsOf('cancelUserTask', h.last.effects)).toMatchObject([{ taskId, elementId: 'slow' }]);
    expect(h.effectsOf('instanceEnded', h.last.effects)).toEqual([{ type: 'instanceEnded', status: 'terminated' }]);
    expect(h.path('element.terminated')).toEqual(['slow']);
    expect(h.eventsOf('instance.terminated')).toHaveLength(1);
  });

  it('inside a subprocess terminates only that scope; the process continues', async () => {
    const h = await Harness.of(
      zeebe(`
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="ss"/>
        <bpmn:parallelGateway id="fork"/>
        <bpmn:userTask id="slow"/>
        <bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>
        <bpmn:endEvent id="se"/>
        ${flow('f1', 'ss', 'fork')}${flow('f2', 'fork', 'slow')}${flow('f3', 'fork', 'kill')}${flow('f4', 'slow', 'se')}
      </bpmn:subProcess>
      <bpmn:userTask id="after"/>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'sub', 'after', 'e'])}
    `),
    );
    h.start();
    expect(h.active()).toEqual(['after']);
    h.completeTask('after');
    expect(h.status).toBe('completed');
  });
});

const errors = `<bpmn:error id="E1" errorCode="BROKEN"/><bpmn:escalation id="X1" escalationCode="LATE"/>`;

describe('error end event', () => {
  const xml = (catcher: string) =>
    zeebe(
      `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="ss"/>
        <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>
        ${flow('f1', 'ss', 'fail')}
      </bpmn:subProcess>
      <bpmn:userTask id="other"/>
      <bpmn:parallelGateway id="fork"/>
      <bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
      ${catcher}
      ${flow('f0', 's', 'fork')}${flow('fa', 'fork', 'sub')}${flow('fb', 'fork', 'other')}${flow('f2', 'sub', 'e')}${flow('f3', 'other', 'e2')}
    `,
      'p',
      errors,
    );

  it('is caught by an error event subprocess at process level, which interrupts the process scope', async () => {
    const h = await Harness.of(
      xml(`
      <bpmn:subProcess id="onError" triggeredByEvent="true">
        <bpmn:startEvent id="errStart"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:startEvent>
        <bpmn:userTask id="handle"/>
        <bpmn:endEvent id="errEnd"/>
        ${chain(['errStart', 'handle', 'errEnd'])}
      </bpmn:subProcess>`),
    );
    h.start();
    expect(h.active()).toEqual(['handle', 'onError']);
    expect(h.path('element.terminated').sort()).toEqual(['fail', 'other', 'sub']);
    expect(h.effectsOf('cancelUserTask')).toHaveLength(1);
    h.completeTask('handle');
    expect(h.status).toBe('completed');
  });

  it('is caught by a catch-all error boundary on the enclosing subprocess', async () => {
    const h = await Harness.of(
      xml(`<bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:errorEventDefinition/></bpmn:boundaryEvent><bpmn:endEvent id="ce"/>${flow('fc', 'caught', 'ce')}`),
    );
    h.start();
    expect(h.active()).toEqual(['other']);
    expect(h.path()).toContain('caught');
  });

  it('uncaught: an uncaught-error incident on the end event; the rest of the process goes on', async () => {
    const h = await Harness.of(xml(''));
    h.start();
    expect(h.incidents()).toMatchObject([{ elementId: 'fail', type: 'uncaught-error' }]);
    expect(h.active()).toEqual(['fail', 'other', 'sub']);
    h.completeTask('other');
    expect(h.status).toBe('active');
    // Retrying rethrows; still nobody catches it.
    h.retryIncident('fail');
    expect(h.incidents()).toHaveLength(1);
  });
});

describe('escalation', () => {
  const xml = (catcher: string) =>
    zeebe(
      `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="ss"/>
        <bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="X1"/></bpmn:intermediateThrowEvent>
        <bpmn:userTask id="inside"/>
        <bpmn:endEvent id="se"/>
        ${chain(['ss', 'raise', 'inside', 'se'])}
      </bpmn:subProcess>
      <bpmn:endEvent id="e"/>
      ${catcher}
      ${chain(['s', 'sub', 'e'])}
    `,
      'p',
      errors,
    );

  it('a non-interrupting escalation boundary spawns a token and the thrower continues', async () => {
    const h = await Harness.of(
      xml(`<bpmn:boundaryEvent id="notify" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="X1"/></bpmn:boundaryEvent><bpmn:userTask id="boss"/>${flow('fn', 'notify', 'boss')}`),
    );
    h.start();
    expect(h.active()).toEqual(['boss', 'inside', 'sub']);
  });

  it('an interrupting escalation boundary terminates the subprocess (and the thrower)', async () => {
    const h = await Harness.of(
      xml(`<bpmn:boundaryEvent id="stop" attachedToRef="sub"><bpmn:escalationEventDefinition escalationRef="X1"/></bpmn:boundaryEvent><bpmn:userTask id="boss"/>${flow('fn', 'stop', 'boss')}`),
    );
    h.start();
    expect(h.active()).toEqual(['boss']);
    expect(h.path()).not.toContain('raise');
  });

  it('uncaught: only recorded, the token continues', async () => {
    const h = await Harness.of(xml(''));
    h.start();
    expect(h.active()).toEqual(['inside', 'sub']);
    expect(h.eventsOf('escalation.thrown')[0].data).toEqual({ code: 'LATE', caught: false });
    expect(h.incidents()).toEqual([]);
  });
});

describe('signal end event', () => {
  it('emits throwSignal with the evaluated name', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:endEvent id="e"><bpmn:signalEventDefinition signalRef="S1"/></bpmn:endEvent>${chain(['s', 'e'])}`, 'p', '<bpmn:signal id="S1" name="order-done"/>'),
    );
    h.start();
    expect(h.effectsOf('throwSignal')).toEqual([{ type: 'throwSignal', name: 'order-done', variables: {} }]);
    expect(h.status).toBe('completed');
  });
});
