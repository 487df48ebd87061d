import { chain, flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const xml = zeebe(`
  <bpmn:startEvent id="start"/>
  <bpmn:subProcess id="outer">
    <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="= &quot;outer&quot;" target="level"/><zeebe:input source="= 0" target="counter"/></zeebe:ioMapping></bpmn:extensionElements>
    <bpmn:startEvent id="outerStart"/>
    <bpmn:subProcess id="inner">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="= &quot;inner&quot;" target="level"/></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:startEvent id="innerStart"/>
      ${serviceTask('work', 'work')}
      <bpmn:endEvent id="innerEnd"/>
      ${chain(['innerStart', 'work', 'innerEnd'])}
    </bpmn:subProcess>
    <bpmn:userTask id="check"/>
    <bpmn:endEvent id="outerEnd"/>
    ${chain(['outerStart', 'inner', 'check', 'outerEnd'])}
  </bpmn:subProcess>
  <bpmn:endEvent id="end"/>
  ${chain(['start', 'outer', 'end'])}
`);

describe('embedded subprocess', () => {
  it('has its own variable scope; inner scopes shadow outer ones; results go to the nearest defining scope', async () => {
    const h = await Harness.of(xml);
    h.start({ level: 'process' });
    expect(h.active()).toEqual(['inner', 'outer', 'work']);
    expect(h.effectsOf('dispatchJob')[0].variables).toEqual({ level: 'inner', counter: 0 });

    h.completeJob('work', { level: 'changed', counter: 5, fresh: 1 });
    const outer = Object.values(h.state?.elements ?? {}).find((e) => e.elementId === 'outer');
    expect(outer?.variables).toEqual({ level: 'outer', counter: 5 });
    expect(h.variables).toEqual({ level: 'process', fresh: 1 });
    expect(h.active()).toEqual(['check', 'outer']);
    expect(h.path()).toEqual(['start', 'outerStart', 'innerStart', 'work', 'innerEnd', 'inner']);

    h.completeTask('check');
    expect(h.path().slice(-3)).toEqual(['outerEnd', 'outer', 'end']);
    expect(h.status).toBe('completed');
  });

  it('completes only when no child is live (parallel branches inside)', async () => {
    const h = await Harness.of(
      zeebe(`
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="ss"/>
        <bpmn:parallelGateway id="fork"/>
        <bpmn:userTask id="a"/><bpmn:userTask id="b"/>
        <bpmn:endEvent id="ea"/><bpmn:endEvent id="eb"/>
        ${flow('f1', 'ss', 'fork')}${flow('f2', 'fork', 'a')}${flow('f3', 'fork', 'b')}${flow('f4', 'a', 'ea')}${flow('f5', 'b', 'eb')}
      </bpmn:subProcess>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'sub', 'e'])}
    `),
    );
    h.start();
    h.completeTask('a');
    expect(h.active()).toEqual(['b', 'sub']);
    h.completeTask('b');
    expect(h.status).toBe('completed');
  });
});
