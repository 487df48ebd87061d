import { camunda, chain, serviceTask, zeebe } from './testing/bpmn.js';
import { Harness } from './testing/harness.js';

describe('input/output mappings (Camunda 8)', () => {
  const io = (outputs: string) =>
    zeebe(`
    <bpmn:startEvent id="s"/>
    ${serviceTask('t', 'calc', `<zeebe:ioMapping><zeebe:input source="= order.total" target="total"/><zeebe:input source="= total * 2" target="double"/>${outputs}</zeebe:ioMapping>`)}
    <bpmn:endEvent id="e"/>
    ${chain(['s', 't', 'e'])}
  `);

  it('inputs become local variables (later inputs see earlier ones); the job sees them', async () => {
    const h = await Harness.of(io(''));
    h.start({ order: { total: 10 } });
    expect(h.effectsOf('dispatchJob')[0].variables).toEqual({ order: { total: 10 }, total: 10, double: 20 });
    expect(h.state?.variables).toEqual({ order: { total: 10 } });
  });

  it('without outputs, result variables propagate to the process (not into the local inputs unless named so)', async () => {
    const h = await Harness.of(io(''));
    h.start({ order: { total: 10 } });
    h.completeJob('t', { tax: 2, total: 99 });
    // `total` exists in the task's local scope (an input), so the result lands there and is dropped with it.
    expect(h.variables).toEqual({ order: { total: 10 }, tax: 2 });
  });

  it('with outputs, only the outputs reach the process', async () => {
    const h = await Harness.of(io('<zeebe:output source="= tax + double" target="charge"/>'));
    h.start({ order: { total: 10 } });
    h.completeJob('t', { tax: 2, secret: 'x' });
    expect(h.variables).toEqual({ order: { total: 10 }, charge: 22 });
  });

  it('a failing input mapping is an incident on the element; retry re-runs the activation', async () => {
    // A FEEL range cannot be stored as a variable: a real evaluation failure (most FEEL errors are null).
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/>${serviceTask('t', 'x', '<zeebe:ioMapping><zeebe:input source="= if broken then [1..2] else 5" target="y"/></zeebe:ioMapping>')}<bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`),
    );
    h.start({ broken: true });
    expect(h.incidents()).toMatchObject([{ elementId: 't', type: 'expression' }]);
    expect(h.incidents()[0].message).toMatch(/input mapping 'y'/);
    expect(h.effectsOf('dispatchJob')).toHaveLength(0);
    h.run({ type: 'setVariables', variables: { broken: false } });
    h.retryIncident('t');
    expect(h.effectsOf('dispatchJob')[0].variables).toMatchObject({ y: 5 });
  });
  it('a failing output mapping is an incident while completing; retry re-runs only the completion', async () => {
    const h = await Harness.of(io('<zeebe:output source="= if bad then [1..2] else tax" target="charge"/>'));
    h.start({ order: { total: 1 }, bad: true });
    h.completeJob('t', { tax: 3 });
    expect(h.incidents()).toMatchObject([{ elementId: 't', type: 'expression' }]);
    expect(Object.values(h.state!.elements)[0].state).toBe('completing');
    h.run({ type: 'setVariables', variables: { bad: false } });
    h.retryIncident('t');
    expect(h.effectsOf('dispatchJob')).toHaveLength(1);
    expect(h.variables.charge).toBe(3);
    expect(h.status).toBe('completed');
  });
});

describe('input/output mappings (Camunda 7)', () => {
  const xml = camunda(`
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="t">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="customerName">\${customer.name}</camunda:inputParameter>
          <camunda:inputParameter name="fixed">hello</camunda:inputParameter>
          <camunda:inputParameter name="items"><camunda:list><camunda:value>a</camunda:value><camunda:value>\${code}</camunda:value></camunda:list></camunda:inputParameter>
          <camunda:outputParameter name="decision">\${approved}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="e"/>
    ${chain(['s', 't', 'e'])}
  `);

  it('input parameters (values, expressions, lists) are local; output parameters copy out of the local scope', async () => {
    const h = await Harness.of(xml);
    h.start({ customer: { name: 'ACME' }, code: 'B7' });
    const ei = Object.values(h.state?.elements ?? {}).find((e) => e.elementId === 't');
    expect(ei?.variables).toEqual({ customerName: 'ACME', fixed: 'hello', items: ['a', 'B7'] });
    h.completeTask('t', { approved: true, comment: 'fine' });
    expect(h.variables).toEqual({ customer: { name: 'ACME' }, code: 'B7', decision: true });
    expect(h.status).toBe('completed');
  });
});
