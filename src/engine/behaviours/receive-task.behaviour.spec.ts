import { chain, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const roots = `<bpmn:message id="M1" name="= &quot;paid-&quot; + region"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message>`;

describe('receive task', () => {
  it('receive task waits for its message', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/><bpmn:receiveTask id="r" messageRef="M1"/><bpmn:endEvent id="e"/>${chain(['s', 'r', 'e'])}`, 'p', roots));
    h.start({ region: 'us', orderId: 7 });
    expect(h.effectsOf('openSubscription')[0]).toMatchObject({ name: 'paid-us', correlationKey: '7', elementId: 'r' });
    h.deliverMessage('r', { ok: true });
    expect(h.status).toBe('completed');
  });

});
