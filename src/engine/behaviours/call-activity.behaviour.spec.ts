import { camunda, chain, flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';
import type { Effect } from '../types.js';

const childXml = zeebe(
  `
  <bpmn:startEvent id="cs"/>
  ${serviceTask('check', 'credit-check')}
  <bpmn:exclusiveGateway id="ok" default="good"/>
  <bpmn:endEvent id="ce"/>
  <bpmn:endEvent id="bad"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>
  ${flow('c1', 'cs', 'check')}${flow('c2', 'check', 'ok')}${flow('good', 'ok', 'ce')}${flow('c3', 'ok', 'bad', '= score < 5')}
`,
  'child',
  '<bpmn:error id="E1" errorCode="REJECTED"/>',
);

const parentXml = (extensions: string) =>
  zeebe(
    `
  <bpmn:startEvent id="s"/>
  <bpmn:callActivity id="call"><bpmn:extensionElements>${extensions}</bpmn:extensionElements></bpmn:callActivity>
  <bpmn:boundaryEvent id="rejected" attachedToRef="call"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
  <bpmn:userTask id="next"/><bpmn:userTask id="manual"/>
  <bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
  ${chain(['s', 'call', 'next', 'e'])}${chain(['rejected', 'manual', 'e2'])}
`,
    'parent',
    '<bpmn:error id="E1" errorCode="REJECTED"/>',
  );

/** Starts the child the way the runtime would for a startChildInstance effect. */
async function startChild(parent: Harness, effect: Extract<Effect, { type: 'startChildInstance' }>): Promise<Harness> {
  const child = await Harness.of(childXml, 'child');
  child.start(effect.variables, { parent: { instanceId: 'parent-1', elementInstanceId: effect.parentElementInstanceId, elementId: effect.parentElementId } });
  return child;
}

describe('call activity', () => {
  it('starts the child with every parent variable (zeebe default), waits, and takes all child variables back', async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start({ customer: 'c1', amount: 100 });
    const [spawn] = parent.effectsOf('startChildInstance');
    expect(spawn).toMatchObject({ processKey: 'child', binding: 'latest', variables: { customer: 'c1', amount: 100 }, parentElementId: 'call' });
    expect(parent.active()).toEqual(['call']);

    const child = await startChild(parent, spawn);
    child.completeJob('check', { score: 9 });
    expect(child.status).toBe('completed');
    const [notify] = child.effectsOf('notifyParent');
    expect(notify).toMatchObject({ outcome: 'completed', parent: { elementInstanceId: spawn.parentElementInstanceId } });

    parent.run({ type: 'childCompleted', childInstanceId: spawn.childInstanceId, variables: notify.variables });
    expect(parent.active()).toEqual(['next']);
    expect(parent.variables).toEqual({ customer: 'c1', amount: 100, score: 9 });
  });

  it('a called process that is not deployed: incident on the call activity, and retry starts a new child', async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start();
    const [spawn] = parent.effectsOf('startChildInstance');
    parent.run({ type: 'childNotStarted', childInstanceId: spawn.childInstanceId, message: "no deployed process 'child'" });
    expect(parent.incidents().map((incident) => [incident.elementId, incident.type, incident.message])).toEqual([['call', 'expression', "no deployed process 'child'"]]);
    expect(parent.state?.waits[spawn.childInstanceId]).toBeUndefined();

    parent.retryIncident('call');
    const [again] = parent.effectsOf('startChildInstance', parent.last.effects);
    expect(again).toMatchObject({ processKey: 'child', parentElementId: 'call' });
    expect(again!.childInstanceId).not.toBe(spawn.childInstanceId);
    parent.run({ type: 'childCompleted', childInstanceId: again!.childInstanceId, variables: {} });
    expect(parent.active()).toEqual(['next']);
  });

  it("a child's result that arrives while the parent is suspended is kept and applied on resume", async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start({ customer: 'c1' });
    const [spawn] = parent.effectsOf('startChildInstance');
    parent.run({ type: 'suspend' });
    const held = parent.run({ type: 'childCompleted', childInstanceId: spawn.childInstanceId, variables: { score: 9 } });
    expect(held.effects).toEqual([]);
    expect(parent.active()).toEqual(['call']);
    expect(parent.state?.deferred).toHaveLength(1);

    parent.run({ type: 'resume' });
    expect(parent.active()).toEqual(['next']);
    expect(parent.variables).toMatchObject({ score: 9 });
    expect(parent.state?.deferred).toBeUndefined();
    expect(parent.effectsOf('createUserTask', parent.last.effects)).toHaveLength(1);
  });

  it('a deferred child result whose call activity was left meanwhile changes nothing on resume', async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start();
    const [spawn] = parent.effectsOf('startChildInstance');
    parent.run({ type: 'suspend' });
    parent.run({ type: 'childFailed', childInstanceId: spawn.childInstanceId, errorCode: 'REJECTED', variables: {} });
    parent.run({ type: 'childCompleted', childInstanceId: spawn.childInstanceId, variables: { late: true } });
    parent.run({ type: 'resume' });
    // The error was caught first (boundary path); the completion that followed found no wait.
    expect(parent.active()).toEqual(['manual']);
    expect(parent.variables).not.toHaveProperty('late');
  });

  it('with output mappings only the outputs come back; propagateAllParentVariables=false passes only inputs', async () => {
    const parent = await Harness.of(
      parentXml(
        '<zeebe:calledElement processId="= childKey" propagateAllParentVariables="false"/><zeebe:ioMapping><zeebe:input source="= amount" target="limit"/><zeebe:output source="= score" target="creditScore"/></zeebe:ioMapping>',
      ),
      'parent',
    );
    parent.start({ childKey: 'child', amount: 100, secret: 's' });
    const [spawn] = parent.effectsOf('startChildInstance');
    expect(spawn.variables).toEqual({ limit: 100 });
    parent.run({ type: 'childCompleted', childInstanceId: spawn.childInstanceId, variables: { limit: 100, score: 7, noise: true } });
    expect(parent.variables).toEqual({ childKey: 'child', amount: 100, secret: 's', creditScore: 7 });
  });

  it("a child's uncaught BPMN error propagates to the call activity's error boundary; the child is canceled", async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start({});
    const [spawn] = parent.effectsOf('startChildInstance');
    const child = await startChild(parent, spawn);
    child.completeJob('check', { score: 1 });
    expect(child.incidents()).toEqual([]);
    const [notify] = child.effectsOf('notifyParent');
    expect(notify).toMatchObject({ outcome: 'error', errorCode: 'REJECTED' });
    expect(child.status).toBe('active');

    parent.run({ type: 'childFailed', childInstanceId: spawn.childInstanceId, errorCode: notify.errorCode ?? '', variables: notify.variables });
    expect(parent.active()).toEqual(['manual']);
    expect(parent.effectsOf('cancelChildInstance', parent.last.effects)).toEqual([{ type: 'cancelChildInstance', childInstanceId: spawn.childInstanceId, parentElementInstanceId: spawn.parentElementInstanceId }]);

    child.run({ type: 'cancel', byParent: true });
    expect(child.status).toBe('canceled');
    expect(child.effectsOf('notifyParent', child.last.effects)).toEqual([]);
  });

  it('a child cannot be canceled on its own', async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start({});
    const child = await startChild(parent, parent.effectsOf('startChildInstance')[0]);
    expect(() => child.run({ type: 'cancel' })).toThrow(expect.objectContaining({ code: 'not-root-instance' }));
  });

  it('an error the parent cannot catch either: incident on the call activity', async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>').replace(/<bpmn:boundaryEvent id="rejected"[\s\S]*?<\/bpmn:boundaryEvent>/, '').replace(chain(['rejected', 'manual', 'e2']), ''), 'parent');
    parent.start({});
    const [spawn] = parent.effectsOf('startChildInstance');
    parent.run({ type: 'childFailed', childInstanceId: spawn.childInstanceId, errorCode: 'REJECTED' });
    expect(parent.incidents()).toMatchObject([{ elementId: 'call', type: 'uncaught-error' }]);
  });

  it('canceling the parent cancels the child', async () => {
    const parent = await Harness.of(parentXml('<zeebe:calledElement processId="child"/>'), 'parent');
    parent.start({});
    const [spawn] = parent.effectsOf('startChildInstance');
    parent.run({ type: 'cancel' });
    expect(parent.effectsOf('cancelChildInstance', parent.last.effects)).toMatchObject([{ childInstanceId: spawn.childInstanceId }]);
    expect(parent.status).toBe('canceled');
  });

  it('Camunda 7: only camunda:in / camunda:out variables cross, plus the business key', async () => {
    const h = await Harness.of(
      camunda(`
      <bpmn:startEvent id="s"/>
      <bpmn:callActivity id="call" calledElement="child">
        <bpmn:extensionElements>
          <camunda:in source="amount" target="limit"/>
          <camunda:in sourceExpression="\${amount * 2}" target="double"/>
          <camunda:in businessKey="#{execution.processBusinessKey}"/>
          <camunda:out source="score" target="creditScore"/>
        </bpmn:extensionElements>
      </bpmn:callActivity>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'call', 'e'])}
    `),
    );
    h.start({ amount: 10, other: 'x' }, { businessKey: 'BK-1' });
    const [spawn] = h.effectsOf('startChildInstance');
    expect(spawn).toMatchObject({ processKey: 'child', variables: { limit: 10, double: 20 }, businessKey: 'BK-1' });
    h.run({ type: 'childCompleted', childInstanceId: spawn.childInstanceId, variables: { score: 3, noise: 1 } });
    expect(h.variables).toEqual({ amount: 10, other: 'x', creditScore: 3 });
    expect(h.status).toBe('completed');
  });
});
