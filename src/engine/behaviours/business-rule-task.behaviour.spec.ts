import { chain, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

describe('business rule task', () => {
  it('is a job like a service task (decisions run in workers)', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/><bpmn:businessRuleTask id="decide"><bpmn:extensionElements><zeebe:taskDefinition type="dmn-eval"/></bpmn:extensionElements></bpmn:businessRuleTask><bpmn:endEvent id="e"/>${chain(['s', 'decide', 'e'])}`),
    );
    h.start({ amount: 5 });
    expect(h.effectsOf('dispatchJob')[0]).toMatchObject({ elementId: 'decide', jobType: 'dmn-eval', variables: { amount: 5 } });
    h.completeJob('decide', { risk: 'low' });
    expect(h.variables.risk).toBe('low');
    expect(h.status).toBe('completed');
  });
});
