import { flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const xml = zeebe(`
  <bpmn:startEvent id="start"/>
  <bpmn:inclusiveGateway id="fork" default="fd"/>
  ${serviceTask('a', 'a')}
  ${serviceTask('b', 'b')}
  <bpmn:userTask id="c"/>
  <bpmn:manualTask id="d"/>
  <bpmn:inclusiveGateway id="join"/>
  <bpmn:userTask id="after"/>
  <bpmn:endEvent id="end"/>
  ${flow('f0', 'start', 'fork')}
  ${flow('fa', 'fork', 'a', '= wantA')}
  ${flow('fb', 'fork', 'b', '= wantB')}
  ${flow('fc', 'fork', 'c', '= wantC')}
  ${flow('fd', 'fork', 'd')}
  ${flow('ja', 'a', 'join')}${flow('jb', 'b', 'join')}${flow('jc', 'c', 'join')}${flow('jd', 'd', 'join')}
  ${flow('fx', 'join', 'after')}${flow('fe', 'after', 'end')}
`);

describe('inclusive gateway', () => {
  it('takes every true branch and the join waits only for the branches taken', async () => {
    const h = await Harness.of(xml);
    h.start({ wantA: true, wantB: false, wantC: true });
    expect(h.active()).toEqual(['a', 'c']);
    h.completeJob('a');
    expect(h.active()).toEqual(['c']);
    expect(h.path()).not.toContain('join');
    h.completeTask('c');
    expect(h.path().filter((id) => id === 'join')).toHaveLength(1);
    expect(h.active()).toEqual(['after']);
  });

  it('fires at once when the only taken branch arrives', async () => {
    const h = await Harness.of(xml);
    h.start({ wantA: false, wantB: true, wantC: false });
    h.completeJob('b');
    expect(h.active()).toEqual(['after']);
  });

  it('takes the default flow when no condition holds (and the pass-through branch joins at once)', async () => {
    const h = await Harness.of(xml);
    h.start({ wantA: false, wantB: false, wantC: false });
    expect(h.path()).toEqual(['start', 'fork', 'd', 'join']);
    expect(h.active()).toEqual(['after']);
  });

  it('a non-boolean condition is an incident', async () => {
    const h = await Harness.of(xml);
    h.start({ wantA: 'yes', wantB: false, wantC: false });
    expect(h.incidents()[0]).toMatchObject({ elementId: 'fork', type: 'expression' });
  });

  it('a token still upstream of the join (a task before the branch split) holds it', async () => {
    const h = await Harness.of(
      zeebe(`
      <bpmn:startEvent id="start"/>
      <bpmn:parallelGateway id="split"/>
      <bpmn:userTask id="slow"/>
      <bpmn:exclusiveGateway id="choose" default="skip"/>
      <bpmn:manualTask id="fast"/>
      <bpmn:inclusiveGateway id="join"/>
      <bpmn:endEvent id="end"/><bpmn:endEvent id="other"/>
      ${flow('f0', 'start', 'split')}
      ${flow('f1', 'split', 'fast')}${flow('f2', 'split', 'slow')}
      ${flow('f3', 'slow', 'choose')}
      ${flow('f4', 'choose', 'join', '= go')}
      ${flow('skip', 'choose', 'other')}
      ${flow('f5', 'fast', 'join')}
      ${flow('f6', 'join', 'end')}
    `),
    );
    h.start({ go: false });
    expect(h.active()).toEqual(['slow']);
    expect(h.path()).not.toContain('join');
    h.completeTask('slow');
    // The slow token went elsewhere: nothing can reach the join any more, so it fires.
    expect(h.path().filter((id) => id === 'join')).toHaveLength(1);
    expect(h.status).toBe('completed');
  });
});
