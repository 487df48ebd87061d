import { camunda, chain } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

describe('start event', () => {
  it('none start: variables land in the root scope; camunda:initiator receives the starting user', async () => {
    const h = await Harness.of(camunda(`<bpmn:startEvent id="s" camunda:initiator="starter"/><bpmn:userTask id="t"/><bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`));
    h.start({ amount: 1 }, { initiator: 'alice' });
    expect(h.variables).toEqual({ amount: 1, starter: 'alice' });
    expect(h.path()).toEqual(['s']);
  });

  it('a signal start event is started by id', async () => {
    const h = await Harness.of(
      camunda(`<bpmn:startEvent id="sig"><bpmn:signalEventDefinition signalRef="S1"/></bpmn:startEvent><bpmn:endEvent id="e"/>${chain(['sig', 'e'])}`, 'p', '<bpmn:signal id="S1" name="go"/>'),
    );
    h.start({}, { startEventId: 'sig' });
    expect(h.status).toBe('completed');
  });
});
