import { chain, flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const msg = `<bpmn:message id="M1" name="order-canceled"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message><bpmn:signal id="S1" name="stop-all"/>`;

describe('timer boundary event', () => {
  const xml = zeebe(`
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="approve"/>
    <bpmn:boundaryEvent id="remind" attachedToRef="approve" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sendTask id="nudge"><bpmn:extensionElements><zeebe:taskHeaders><zeebe:header key="template" value="reminder"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:sendTask>
    <bpmn:endEvent id="e"/><bpmn:endEvent id="ne"/>
    ${chain(['s', 'approve', 'e'])}
    ${chain(['remind', 'nudge', 'ne'])}
  `);

  it('non-interrupting cycle: fires twice (R2), the task stays, each firing spawns a token', async () => {
    const h = await Harness.of(xml);
    h.start();
    const [first] = h.effectsOf('scheduleTimer');
    expect(first).toMatchObject({ elementId: 'remind', role: 'boundary', dueAt: '2026-01-05T10:00:00.000Z' });

    h.advance(3_600_000);
    h.fireTimer('remind');
    expect(h.active()).toEqual(['approve']);
    expect(h.effectsOf('sendMail')).toHaveLength(1);
    const [second] = h.effectsOf('scheduleTimer', h.last.effects);
    expect(second).toMatchObject({ dueAt: '2026-01-05T11:00:00.000Z', timer: { firedCount: 1 } });

    h.advance(3_600_000);
    h.fireTimer('remind');
    expect(h.effectsOf('sendMail')).toHaveLength(2);
    expect(h.effectsOf('scheduleTimer', h.last.effects)).toEqual([]); // R2 exhausted
    expect(h.keysAt('remind', ['timer'])).toEqual([]);

    h.completeTask('approve');
    expect(h.status).toBe('completed');
  });

  it('the host completing cancels the pending timer', async () => {
    const h = await Harness.of(xml);
    h.start();
    const timerKey = h.timer('remind');
    h.completeTask('approve');
    expect(h.effectsOf('cancelTimer', h.last.effects)).toMatchObject([{ timerKey, elementId: 'remind' }]);
    expect(() => h.run({ type: 'fireTimer', timerKey })).toThrow(expect.objectContaining({ code: 'stale' }));
  });

  it('an interrupting duration timer terminates the host and takes the boundary path', async () => {
    const h = await Harness.of(
      zeebe(`
      <bpmn:startEvent id="s"/>
      <bpmn:userTask id="approve"/>
      <bpmn:boundaryEvent id="timeout" attachedToRef="approve"><bpmn:timerEventDefinition><bpmn:timeDuration>= wait</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:endEvent id="e"/><bpmn:endEvent id="late"/>
      ${chain(['s', 'approve', 'e'])}${flow('ft', 'timeout', 'late')}
    `),
    );
    h.start({ wait: 'P1D' });
    expect(h.effectsOf('scheduleTimer')[0].dueAt).toBe('2026-01-06T09:00:00.000Z');
    const taskId = h.task('approve');
    h.fireTimer('timeout');
    expect(h.effectsOf('cancelUserTask', h.last.effects)).toMatchObject([{ taskId }]);
    expect(h.path()).toEqual(['s', 'timeout', 'late']);
    expect(h.status).toBe('completed');
  });
});

describe('message and signal boundary events', () => {
  const xml = zeebe(
    `
    <bpmn:startEvent id="s"/>
    ${serviceTask('ship', 'shipping')}
    <bpmn:boundaryEvent id="canceled" attachedToRef="ship"><bpmn:messageEventDefinition messageRef="M1"/></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="stop" attachedToRef="ship" cancelActivity="false"><bpmn:signalEventDefinition signalRef="S1"/></bpmn:boundaryEvent>
    <bpmn:userTask id="refund"/><bpmn:userTask id="look"/>
    <bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>
    ${chain(['s', 'ship', 'e'])}${chain(['canceled', 'refund', 'e2'])}${chain(['stop', 'look', 'e3'])}
  `,
    'p',
    msg,
  );

  it('opens subscriptions when the host activates, with the correlation key evaluated then', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 4711 });
    const subs = h.effectsOf('openSubscription');
    expect(subs).toEqual([
      expect.objectContaining({ eventType: 'message', name: 'order-canceled', correlationKey: '4711', elementId: 'canceled', role: 'boundary', interrupting: true }),
      expect.objectContaining({ eventType: 'signal', name: 'stop-all', elementId: 'stop', interrupting: false }),
    ]);
  });

  it('an interrupting message cancels the host job and its other subscriptions, then takes the boundary path', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o-1' });
    const jobKey = h.job('ship');
    h.deliverMessage('canceled', { reason: 'customer' });
    expect(h.effectsOf('cancelJob', h.last.effects)).toMatchObject([{ jobKey, elementId: 'ship' }]);
    expect(h.effectsOf('closeSubscription', h.last.effects)).toHaveLength(2);
    expect(h.active()).toEqual(['refund']);
    expect(h.variables).toMatchObject({ reason: 'customer' });
    expect(h.eventsOf('message.correlated')).toHaveLength(1);
    expect(() => h.run({ type: 'completeJob', jobKey })).toThrow(expect.objectContaining({ code: 'stale' }));
  });

  it('a non-interrupting signal spawns a token; the subscription stays open', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o-1' });
    h.deliverSignal('stop');
    h.deliverSignal('stop');
    expect(h.active()).toEqual(['look', 'look', 'ship']);
    expect(h.effectsOf('closeSubscription')).toEqual([]);
    h.completeJob('ship');
    expect(h.effectsOf('closeSubscription', h.last.effects)).toHaveLength(2);
  });

  it('a null correlation key is an incident on the host', async () => {
    const h = await Harness.of(xml);
    h.start({});
    expect(h.incidents()).toMatchObject([{ elementId: 'ship', type: 'expression' }]);
    expect(h.effectsOf('dispatchJob')).toEqual([]);
    h.run({ type: 'setVariables', variables: { orderId: 'x' } });
    h.retryIncident('ship');
    expect(h.effectsOf('dispatchJob')).toHaveLength(1);
    expect(h.effectsOf('openSubscription')).toHaveLength(2);
  });
});
