import { flow, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const xml = zeebe(
  `
  <bpmn:startEvent id="s"/>
  <bpmn:eventBasedGateway id="gw"/>
  <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M1"/></bpmn:intermediateCatchEvent>
  <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>PT30M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:endEvent id="done"/><bpmn:endEvent id="expired"/>
  ${flow('f0', 's', 'gw')}${flow('f1', 'gw', 'paid')}${flow('f2', 'gw', 'timeout')}${flow('f3', 'paid', 'done')}${flow('f4', 'timeout', 'expired')}
`,
  'p',
  `<bpmn:message id="M1" name="payment"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message>`,
);

describe('event-based gateway', () => {
  it('opens every trigger behind it and waits', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o1' });
    expect(h.active()).toEqual(['gw']);
    expect(h.effectsOf('openSubscription')[0]).toMatchObject({ elementId: 'paid', role: 'eventGateway', correlationKey: 'o1' });
    expect(h.effectsOf('scheduleTimer')[0]).toMatchObject({ elementId: 'timeout', role: 'eventGateway', dueAt: '2026-01-05T09:30:00.000Z' });
  });

  it('timer wins: the subscription closes, the timer path runs', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o1' });
    const sub = h.subscription('paid');
    h.fireTimer('timeout');
    expect(h.effectsOf('closeSubscription', h.last.effects)).toMatchObject([{ subscriptionKey: sub }]);
    expect(h.path()).toEqual(['s', 'gw', 'timeout', 'expired']);
    expect(() => h.run({ type: 'deliverMessage', subscriptionKey: sub })).toThrow(expect.objectContaining({ code: 'stale' }));
  });

  it('message wins: the timer is canceled, the message variables arrive', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o1' });
    const timerKey = h.timer('timeout');
    h.deliverMessage('paid', { amount: 10 });
    expect(h.effectsOf('cancelTimer', h.last.effects)).toMatchObject([{ timerKey }]);
    expect(h.path()).toEqual(['s', 'gw', 'paid', 'done']);
    expect(h.variables).toEqual({ orderId: 'o1', amount: 10 });
  });
});
