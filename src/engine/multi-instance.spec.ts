import { camunda, chain, flow, zeebe } from './testing/bpmn.js';
import { Harness } from './testing/harness.js';

const miTask = (sequential: boolean, completion = '') =>
  zeebe(`
  <bpmn:startEvent id="s"/>
  <bpmn:serviceTask id="t">
    <bpmn:extensionElements><zeebe:taskDefinition type="calc"/></bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}">
      <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="= items" inputElement="item" outputCollection="results" outputElement="= result"/></bpmn:extensionElements>
      ${completion ? `<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${completion}</bpmn:completionCondition>` : ''}
    </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:serviceTask>
  <bpmn:boundaryEvent id="timeout" attachedToRef="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:endEvent id="e"/><bpmn:endEvent id="late"/>
  ${chain(['s', 't', 'e'])}${flow('fl', 'timeout', 'late')}
`);

const items = Array.from({ length: 50 }, (_, i) => i + 1);

describe('multi-instance', () => {
  it('parallel over 50 elements: 50 jobs at once, results collected in item order, then the body completes', async () => {
    const h = await Harness.of(miTask(false));
    h.start({ items });
    const jobs = h.effectsOf('dispatchJob');
    expect(jobs).toHaveLength(50);
    expect(jobs[0].variables).toMatchObject({ item: 1, loopCounter: 1, nrOfInstances: 50, items });
    expect(jobs[49].variables).toMatchObject({ item: 50, loopCounter: 50 });
    expect(h.effectsOf('scheduleTimer')).toHaveLength(1); // the boundary is on the body, once

    for (const job of [...jobs].reverse()) {
      const item = job.variables.item as number;
      h.run({ type: 'completeJob', jobKey: job.jobKey, variables: { result: item * 2 } });
    }
    expect(h.status).toBe('completed');
    expect(h.variables.results).toEqual(items.map((i) => i * 2));
    expect(h.path().filter((id) => id === 't')).toHaveLength(51); // 50 inner + the body
    expect(h.effectsOf('cancelTimer')).toHaveLength(1);
  });

  it('sequential over 50 elements: one job at a time, loopCounter 1..50', async () => {
    const h = await Harness.of(miTask(true));
    h.start({ items });
    for (let i = 1; i <= 50; i++) {
      const open = h.keysAt('t', ['job']);
      expect(open).toHaveLength(1);
      const job = h.effectsOf('dispatchJob').at(-1);
      expect(job?.variables).toMatchObject({ item: i, loopCounter: i, nrOfCompletedInstances: i - 1 });
      h.completeJob('t', { result: `r${i}` });
    }
    expect(h.status).toBe('completed');
    expect(h.variables.results).toEqual(items.map((i) => `r${i}`));
  });

  it('the completion condition ends the body early and cancels the remaining instances', async () => {
    const h = await Harness.of(miTask(false, '= nrOfCompletedInstances >= 2'));
    h.start({ items: [1, 2, 3, 4] });
    h.completeJob('t', { result: 'a' });
    expect(h.keysAt('t', ['job'])).toHaveLength(3);
    h.completeJob('t', { result: 'b' });
    expect(h.status).toBe('completed');
    expect(h.effectsOf('cancelJob', h.last.effects)).toHaveLength(2);
    expect(h.variables.results).toEqual(['a', 'b', null, null]);
  });

  it('an empty collection completes at once with an empty output collection', async () => {
    const h = await Harness.of(miTask(false));
    h.start({ items: [] });
    expect(h.status).toBe('completed');
    expect(h.variables.results).toEqual([]);
    expect(h.effectsOf('dispatchJob')).toEqual([]);
  });

  it('an input collection that is not a list is an incident on the body', async () => {
    const h = await Harness.of(miTask(false));
    h.start({ items: 'nope' });
    expect(h.incidents()).toMatchObject([{ elementId: 't', type: 'expression' }]);
    h.run({ type: 'setVariables', variables: { items: [7] } });
    h.retryIncident('t');
    expect(h.effectsOf('dispatchJob')).toHaveLength(1);
  });

  it('an interrupting boundary on the activity terminates every instance', async () => {
    const h = await Harness.of(miTask(false));
    h.start({ items: [1, 2, 3] });
    h.fireTimer('timeout');
    expect(h.effectsOf('cancelJob', h.last.effects)).toHaveLength(3);
    expect(h.path()).toEqual(['s', 'timeout', 'late']);
  });

  it('multi-instance subprocess: each instance has its own scope with the element variable', async () => {
    const h = await Harness.of(
      zeebe(`
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub">
        <bpmn:multiInstanceLoopCharacteristics>
          <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="= reviewers" inputElement="reviewer" outputCollection="votes" outputElement="= vote"/></bpmn:extensionElements>
        </bpmn:multiInstanceLoopCharacteristics>
        <bpmn:startEvent id="ss"/>
        <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="= reviewer"/><zeebe:ioMapping><zeebe:output source="= vote" target="vote"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:userTask>
        <bpmn:endEvent id="se"/>
        ${chain(['ss', 'review', 'se'])}
      </bpmn:subProcess>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'sub', 'e'])}
    `),
    );
    h.start({ reviewers: ['ann', 'ben', 'cy'] });
    const tasks = h.effectsOf('createUserTask');
    expect(tasks.map((t) => t.assignee)).toEqual(['ann', 'ben', 'cy']);
    h.run({ type: 'completeUserTask', taskId: tasks[1].taskId, variables: { vote: 'no' } });
    h.run({ type: 'completeUserTask', taskId: tasks[0].taskId, variables: { vote: 'yes' } });
    h.run({ type: 'completeUserTask', taskId: tasks[2].taskId, variables: { vote: 'yes' } });
    expect(h.status).toBe('completed');
    expect(h.variables.votes).toEqual(['yes', 'no', 'yes']);
  });

  it('Camunda 7 loopCardinality and collection/elementVariable', async () => {
    const h = await Harness.of(
      camunda(`
      <bpmn:startEvent id="s"/>
      <bpmn:userTask id="three"><bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>\${n}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
      <bpmn:userTask id="each" camunda:assignee="\${person}"><bpmn:multiInstanceLoopCharacteristics camunda:collection="people" camunda:elementVariable="person"/></bpmn:userTask>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'three', 'each', 'e'])}
    `),
    );
    h.start({ n: 3, people: ['x', 'y'] });
    for (let i = 0; i < 3; i++) h.completeTask('three');
    expect(h.effectsOf('createUserTask').slice(3).map((t) => t.assignee)).toEqual(['x', 'y']);
    h.completeTask('each');
    h.completeTask('each');
    expect(h.status).toBe('completed');
  });
});
