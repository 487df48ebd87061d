import { flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const xml = zeebe(`
  <bpmn:startEvent id="start"/>
  <bpmn:parallelGateway id="fork"/>
  ${serviceTask('a', 'work-a')}
  ${serviceTask('b', 'work-b')}
  <bpmn:userTask id="c"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:endEvent id="end"/>
  ${flow('f0', 'start', 'fork')}
  ${flow('fa', 'fork', 'a')}${flow('fb', 'fork', 'b')}${flow('fc', 'fork', 'c')}
  ${flow('ja', 'a', 'join')}${flow('jb', 'b', 'join')}${flow('jc', 'c', 'join')}
  ${flow('fe', 'join', 'end')}
`);

describe('parallel gateway', () => {
  it('forks to every branch and joins once all three arrived', async () => {
    const h = await Harness.of(xml);
    h.start();
    expect(h.active()).toEqual(['a', 'b', 'c']);
    expect(h.effectsOf('dispatchJob').map((j) => j.jobType).sort()).toEqual(['work-a', 'work-b']);

    h.completeJob('b', { b: 1 });
    expect(h.active()).toEqual(['a', 'c']);
    expect(h.state?.joins).toEqual({ $root: { join: { jb: 1 } } });
    h.completeTask('c');
    expect(h.path()).not.toContain('join');
    h.completeJob('a', { a: 1 });
    expect(h.path().filter((id) => id === 'join')).toHaveLength(1);
    expect(h.status).toBe('completed');
    expect(h.state?.joins).toEqual({});
    expect(h.variables).toEqual({ a: 1, b: 1 });
  });

  it('ignores conditions on outgoing flows of a fork', async () => {
    const h = await Harness.of(xml.replace(flow('fa', 'fork', 'a'), flow('fa', 'fork', 'a', '= false')));
    h.start();
    expect(h.active()).toEqual(['a', 'b', 'c']);
  });
});
