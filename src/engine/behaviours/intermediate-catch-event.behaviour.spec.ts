import { chain, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const roots = `<bpmn:message id="M1" name="= &quot;paid-&quot; + region"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message><bpmn:signal id="S1" name="go"/>`;

describe('intermediate catch events', () => {
  it('timer catch schedules at the evaluated date and continues when fired', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDate>= until</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain(['s', 'wait', 'e'])}`),
    );
    h.start({ until: '2026-03-01T08:00:00Z' });
    expect(h.effectsOf('scheduleTimer')[0]).toMatchObject({ elementId: 'wait', role: 'self', dueAt: '2026-03-01T08:00:00.000Z' });
    expect(h.eventsOf('timer.scheduled')).toHaveLength(1);
    h.fireTimer('wait');
    expect(h.status).toBe('completed');
    expect(h.eventsOf('timer.fired')).toHaveLength(1);
  });

  it('an unparsable timer value is an incident', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>= d</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain(['s', 'wait', 'e'])}`),
    );
    h.start({ d: 'soon' });
    expect(h.incidents()).toMatchObject([{ elementId: 'wait', type: 'expression' }]);
  });

  it('message catch subscribes with evaluated name and correlation key; delivery merges variables and closes it', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M1"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain(['s', 'paid', 'e'])}`, 'p', roots),
    );
    h.start({ region: 'eu', orderId: 'o-9' });
    const [sub] = h.effectsOf('openSubscription');
    expect(sub).toMatchObject({ eventType: 'message', name: 'paid-eu', correlationKey: 'o-9', role: 'self' });
    h.deliverMessage('paid', { amount: 3 });
    expect(h.effectsOf('closeSubscription', h.last.effects)).toMatchObject([{ subscriptionKey: sub.subscriptionKey }]);
    expect(h.variables.amount).toBe(3);
    expect(h.status).toBe('completed');
  });

  it('signal catch waits for the signal', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="go"><bpmn:signalEventDefinition signalRef="S1"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain(['s', 'go', 'e'])}`, 'p', roots),
    );
    h.start();
    expect(h.effectsOf('openSubscription')[0]).toMatchObject({ eventType: 'signal', name: 'go' });
    h.deliverSignal('go');
    expect(h.status).toBe('completed');
    expect(h.eventsOf('signal.received')).toHaveLength(1);
  });
});
