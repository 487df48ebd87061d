import { camunda, chain } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

describe('manual task, undefined task, none intermediate throw', () => {
  it('pass through', async () => {
    const h = await Harness.of(
      camunda(`<bpmn:startEvent id="s"/><bpmn:manualTask id="m"/><bpmn:task id="t"/><bpmn:intermediateThrowEvent id="i"/><bpmn:endEvent id="e"/>${chain(['s', 'm', 't', 'i', 'e'])}`),
    );
    h.start();
    expect(h.path()).toEqual(['s', 'm', 't', 'i', 'e']);
    expect(h.path('element.entered')).toEqual(['s', 'm', 't', 'i', 'e']);
    expect(h.status).toBe('completed');
  });
});
