import { chain, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const roots = `<bpmn:message id="M1" name="= &quot;paid-&quot; + region"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message><bpmn:signal id="S1" name="go"/>`;

describe('intermediate throw events', () => {
  it('none passes through; signal throw emits throwSignal with the input-mapped variables', async () => {
    const h = await Harness.of(
      zeebe(
        `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="mark"/>
         <bpmn:intermediateThrowEvent id="shout"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="= orderId" target="orderId"/></zeebe:ioMapping></bpmn:extensionElements><bpmn:signalEventDefinition signalRef="S1"/></bpmn:intermediateThrowEvent>
         <bpmn:endEvent id="e"/>${chain(['s', 'mark', 'shout', 'e'])}`,
        'p',
        roots,
      ),
    );
    h.start({ orderId: 'o-1', other: true });
    expect(h.effectsOf('throwSignal')).toEqual([{ type: 'throwSignal', name: 'go', variables: { orderId: 'o-1' } }]);
    expect(h.path()).toEqual(['s', 'mark', 'shout', 'e']);
  });

  it('message throw with a job definition is a job', async () => {
    const h = await Harness.of(
      zeebe(
        `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="notify"/></bpmn:extensionElements><bpmn:messageEventDefinition messageRef="M1"/></bpmn:intermediateThrowEvent><bpmn:endEvent id="e"/>${chain(['s', 'notify', 'e'])}`,
        'p',
        roots,
      ),
    );
    h.start();
    expect(h.effectsOf('dispatchJob')[0].jobType).toBe('notify');
    h.completeJob('notify');
    expect(h.status).toBe('completed');
  });
});
