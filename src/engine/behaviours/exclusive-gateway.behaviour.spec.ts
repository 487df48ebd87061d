import { camunda, flow, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const body = (defaultAttr: string, conditionA: string, conditionB: string) => `
  <bpmn:startEvent id="start"/>
  <bpmn:exclusiveGateway id="gw" ${defaultAttr}/>
  <bpmn:manualTask id="a"/><bpmn:manualTask id="b"/><bpmn:manualTask id="c"/>
  <bpmn:endEvent id="end"/>
  ${flow('f0', 'start', 'gw')}
  ${flow('fa', 'gw', 'a', conditionA)}
  ${flow('fb', 'gw', 'b', conditionB)}
  ${flow('fc', 'gw', 'c')}
  ${flow('fa2', 'a', 'end')}${flow('fb2', 'b', 'end')}${flow('fc2', 'c', 'end')}
`;

describe('exclusive gateway', () => {
  const withDefault = zeebe(body('default="fc"', '= amount > 100', '= amount > 10'));

  it('takes the first flow whose condition is true, in model order', async () => {
    const h = await Harness.of(withDefault);
    h.start({ amount: 500 });
    expect(h.path()).toEqual(['start', 'gw', 'a', 'end']);
    expect(h.status).toBe('completed');
  });

  it('takes the default flow when no condition is true', async () => {
    const h = await Harness.of(withDefault);
    h.start({ amount: 1 });
    expect(h.path()).toEqual(['start', 'gw', 'c', 'end']);
  });

  it('raises an incident when no condition is true and there is no default', async () => {
    const h = await Harness.of(zeebe(body('', '= amount > 100', '= amount > 10').replace(flow('fc', 'gw', 'c'), flow('fc', 'gw', 'c', '= amount < 0'))));
    h.start({ amount: 5 });
    expect(h.status).toBe('active');
    expect(h.active()).toEqual(['gw']);
    const [incident] = h.incidents();
    expect(incident).toMatchObject({ elementId: 'gw', type: 'expression' });
    expect(incident.message).toMatch(/no condition/);
    expect(h.effectsOf('raiseIncident')).toHaveLength(1);
  });

  it('a non-boolean condition is an incident, not false; setVariables + retry resolves it', async () => {
    const h = await Harness.of(zeebe(body('default="fc"', '= approved', '= amount > 10')));
    h.start({ approved: 'yes', amount: 50 });
    expect(h.active()).toEqual(['gw']);
    const [incident] = h.incidents();
    expect(incident.type).toBe('expression');
    expect(incident.message).toMatch(/expected boolean/);

    h.run({ type: 'setVariables', variables: { approved: false } });
    expect(h.active()).toEqual(['gw']);
    h.retryIncident('gw');
    expect(h.incidents()).toEqual([]);
    expect(h.effectsOf('resolveIncident')).toEqual([{ type: 'resolveIncident', incidentKey: incident.key }]);
    expect(h.path()).toEqual(['start', 'gw', 'b', 'end']);
    expect(h.status).toBe('completed');
  });

  it('evaluates Camunda 7 ${} conditions', async () => {
    const h = await Harness.of(camunda(body('default="fc"', '${amount > 100}', '${amount > 10}')));
    h.start({ amount: 20 });
    expect(h.path()).toEqual(['start', 'gw', 'b', 'end']);
  });

  it('a missing variable in a ${} condition is an incident', async () => {
    const h = await Harness.of(camunda(body('default="fc"', '${amount > 100}', '${amount > 10}')));
    h.start({});
    expect(h.incidents()[0]?.elementId).toBe('gw');
  });
});

describe('conditional flows out of an activity', () => {
  const xml = zeebe(`
    <bpmn:startEvent id="start"/>
    <bpmn:manualTask id="t" default="f3"/>
    <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>
    ${flow('f0', 'start', 't')}
    ${flow('f1', 't', 'e1', '= x > 1')}
    ${flow('f2', 't', 'e2', '= x > 2')}
    ${flow('f3', 't', 'e3')}
  `);

  it('takes every true flow (like an inclusive split)', async () => {
    const h = await Harness.of(xml);
    h.start({ x: 5 });
    expect(h.path().sort()).toEqual(['e1', 'e2', 'start', 't']);
  });

  it('takes the default flow when none is true', async () => {
    const h = await Harness.of(xml);
    h.start({ x: 0 });
    expect(h.path()).toEqual(['start', 't', 'e3']);
  });
});
