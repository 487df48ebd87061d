import { camunda, chain, flow, zeebe } from './testing/bpmn.js';
import { CallHierarchy } from './testing/call-hierarchy.js';
import { Harness } from './testing/harness.js';
import type { ParentLink } from './types.js';

const roots = `<bpmn:escalation id="X1" escalationCode="LATE"/><bpmn:escalation id="X2" escalationCode="OTHER"/>`;
/** An escalation event definition: of escalation `ref`, or catch-all without one. */
const esc = (ref?: string): string => (ref ? `<bpmn:escalationEventDefinition escalationRef="${ref}"/>` : '<bpmn:escalationEventDefinition/>');
const raise = (id = 'raise'): string => `<bpmn:intermediateThrowEvent id="${id}">${esc('X1')}</bpmn:intermediateThrowEvent>`;
const boundary = (id: string, attachedTo: string, ref: string | undefined, interrupting: boolean): string =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}"${interrupting ? '' : ' cancelActivity="false"'}>${esc(ref)}</bpmn:boundaryEvent>`;
/** An escalation event subprocess `esp` (start `escStart`) running user task `handle`. */
const eventSubProcess = (ref: string | undefined, interrupting: boolean): string => `
  <bpmn:subProcess id="esp" triggeredByEvent="true">
    <bpmn:startEvent id="escStart"${interrupting ? '' : ' isInterrupting="false"'}>${esc(ref)}</bpmn:startEvent>
    <bpmn:userTask id="handle"/><bpmn:endEvent id="espEnd"/>
    ${chain(['escStart', 'handle', 'espEnd'])}
  </bpmn:subProcess>`;

describe('escalations inside one instance', () => {
  /** A sub-process that throws (intermediate) and then waits on `inside`; `catcher` is added at process level. */
  const subProcessXml = (catcher: string, body = `${raise()}<bpmn:userTask id="inside"/><bpmn:endEvent id="se"/>${chain(['ss', 'raise', 'inside', 'se'])}`) =>
    zeebe(
      `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${body}</bpmn:subProcess>
      <bpmn:userTask id="after"/><bpmn:endEvent id="e"/>
      <bpmn:userTask id="boss"/><bpmn:endEvent id="e2"/>
      ${chain(['s', 'sub', 'after', 'e'])}
      ${catcher}
    `,
      'p',
      roots,
    );
  /** The sub-process waits on `work`, then ends in an escalation end event `done`. */
  const endThrowBody = `<bpmn:userTask id="work"/><bpmn:endEvent id="done">${esc('X1')}</bpmn:endEvent>${chain(['ss', 'work', 'done'])}`;
  const toBoss = (from: string): string => chain([from, 'boss', 'e2']);

  it('intermediate throw, interrupting boundary on the sub-process: the sub-process is terminated, the boundary path taken', async () => {
    const h = await Harness.of(subProcessXml(boundary('stop', 'sub', 'X1', true) + toBoss('stop')));
    h.start();
    expect(h.active()).toEqual(['boss']);
    expect(h.path()).not.toContain('raise');
    expect(h.path('element.terminated')).toEqual(expect.arrayContaining(['raise', 'sub']));
    expect(h.eventsOf('escalation.thrown').map((e) => e.data)).toEqual([{ code: 'LATE', caughtBy: 'stop' }]);
  });

  it('intermediate throw, non-interrupting boundary: a token on the boundary path, the thrower goes on', async () => {
    const h = await Harness.of(subProcessXml(boundary('notify', 'sub', 'X1', false) + toBoss('notify')));
    h.start();
    expect(h.active()).toEqual(['boss', 'inside', 'sub']);
    expect(h.path()).toContain('raise');
    h.completeTask('inside');
    h.completeTask('boss');
    h.completeTask('after');
    expect(h.status).toBe('completed');
  });

  it('end event throw, interrupting boundary: the sub-process is terminated, its end event never completes', async () => {
    const h = await Harness.of(subProcessXml(boundary('stop', 'sub', 'X1', true) + toBoss('stop'), endThrowBody));
    h.start();
    h.completeTask('work');
    expect(h.active()).toEqual(['boss']);
    expect(h.path()).not.toContain('done');
    expect(h.path('element.terminated')).toEqual(['done', 'sub']);
  });

  it('end event throw, non-interrupting boundary: the end event completes, the sub-process completes as usual', async () => {
    const h = await Harness.of(subProcessXml(boundary('notify', 'sub', 'X1', false) + toBoss('notify'), endThrowBody));
    h.start();
    h.completeTask('work');
    expect(h.active()).toEqual(['after', 'boss']);
    expect(h.path()).toEqual(expect.arrayContaining(['done', 'sub', 'notify']));
  });

  it('an exact code beats a catch-all on the same level; a catch of another code does not catch', async () => {
    const both = await Harness.of(subProcessXml(boundary('any', 'sub', undefined, false) + boundary('exact', 'sub', 'X1', false) + toBoss('exact') + flow('fa', 'any', 'e2')));
    both.start();
    expect(both.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', caughtBy: 'exact' });
    expect(both.active()).toEqual(['boss', 'inside', 'sub']);

    const other = await Harness.of(subProcessXml(boundary('stop', 'sub', 'X2', true) + toBoss('stop')));
    other.start();
    expect(other.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', caught: false });
    expect(other.active()).toEqual(['inside', 'sub']);
  });

  it('interrupting escalation event subprocess: every other token of the scope ends, the event subprocess runs', async () => {
    const h = await Harness.of(
      zeebe(
        `
        <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>
        <bpmn:userTask id="first"/>${raise()}<bpmn:userTask id="afterRaise"/><bpmn:userTask id="other"/>
        <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
        ${flow('f1', 's', 'fork')}${flow('f2', 'fork', 'first')}${flow('f3', 'fork', 'other')}${chain(['first', 'raise', 'afterRaise', 'e1'])}${flow('f4', 'other', 'e2')}
        ${eventSubProcess('X1', true)}
      `,
        'p',
        roots,
      ),
    );
    h.start();
    h.completeTask('first');
    expect(h.active()).toEqual(['esp', 'handle']);
    expect(h.effectsOf('cancelUserTask')).toMatchObject([{ elementId: 'other' }]);
    expect(h.path('element.terminated')).toEqual(expect.arrayContaining(['raise', 'other']));
    expect(h.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', caughtBy: 'escStart' });
    h.completeTask('handle');
    expect(h.status).toBe('completed');
  });

  it('non-interrupting escalation event subprocess: it runs beside the thrower, which goes on', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/>${raise()}<bpmn:userTask id="afterRaise"/><bpmn:endEvent id="e"/>${chain(['s', 'raise', 'afterRaise', 'e'])}${eventSubProcess(undefined, false)}`, 'p', roots),
    );
    h.start();
    expect(h.active()).toEqual(['afterRaise', 'esp', 'handle']);
    h.completeTask('afterRaise');
    expect(h.status).toBe('active');
    h.completeTask('handle');
    expect(h.status).toBe('completed');
  });

  it('the innermost catch wins: an event subprocess inside the sub-process before a boundary on it', async () => {
    const body = `${raise()}<bpmn:userTask id="inside"/><bpmn:endEvent id="se"/>${chain(['ss', 'raise', 'inside', 'se'])}${eventSubProcess('X1', false)}`;
    const h = await Harness.of(subProcessXml(boundary('stop', 'sub', 'X1', true) + toBoss('stop'), body));
    h.start();
    expect(h.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', caughtBy: 'escStart' });
    expect(h.active()).toEqual(['esp', 'handle', 'inside', 'sub']);
  });

  it('uncaught: only recorded, no incident, the instance completes', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/>${raise()}<bpmn:endEvent id="e">${esc('X2')}</bpmn:endEvent>${chain(['s', 'raise', 'e'])}`, 'p', roots));
    h.start();
    expect(h.status).toBe('completed');
    expect(h.eventsOf('escalation.thrown').map((e) => e.data)).toEqual([
      { code: 'LATE', caught: false },
      { code: 'OTHER', caught: false },
    ]);
    expect(h.effectsOf('raiseIncident')).toEqual([]);
    expect(h.effectsOf('notifyParent')).toEqual([]);
  });
});

// ─────────────────────────── across call activities ───────────────────────────

/** The child throws LATE (intermediate), then waits on `work`. */
const childXml = zeebe(`<bpmn:startEvent id="cs"/>${raise()}<bpmn:userTask id="work"/><bpmn:endEvent id="ce"/>${chain(['cs', 'raise', 'work', 'ce'])}`, 'child', roots);
/** The child waits on `work`, then ends in an escalation end event `done`. */
const childEndXml = zeebe(`<bpmn:startEvent id="cs"/><bpmn:userTask id="work"/><bpmn:endEvent id="done">${esc('X1')}</bpmn:endEvent>${chain(['cs', 'work', 'done'])}`, 'childEnd', roots);
/** The child catches its own escalation (non-interrupting boundary on its sub-process). */
const childCatchesXml = zeebe(
  `
  <bpmn:startEvent id="cs"/>
  <bpmn:subProcess id="inner"><bpmn:startEvent id="is"/>${raise()}<bpmn:endEvent id="ie"/>${chain(['is', 'raise', 'ie'])}</bpmn:subProcess>
  ${boundary('own', 'inner', 'X1', false)}<bpmn:userTask id="ownTask"/><bpmn:endEvent id="oe"/>
  <bpmn:userTask id="work"/><bpmn:endEvent id="ce"/>
  ${chain(['cs', 'inner', 'work', 'ce'])}${chain(['own', 'ownTask', 'oe'])}
`,
  'childCatches',
  roots,
);

/** Parent: call activity `call` → `next`; `catcher` (boundary on `call` → `boss`, or an event subprocess) added. */
const parentXml = (catcher: string, calledKey = 'child', callExtensions = '', id = 'parent') =>
  zeebe(
    `
    <bpmn:startEvent id="s"/>
    <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="${calledKey}"/>${callExtensions}</bpmn:extensionElements></bpmn:callActivity>
    <bpmn:userTask id="next"/><bpmn:endEvent id="e"/>
    <bpmn:userTask id="boss"/><bpmn:endEvent id="e2"/>
    ${chain(['s', 'call', 'next', 'e'])}
    ${catcher}
  `,
    id,
    roots,
  );
const bossPath = (from: string): string => chain([from, 'boss', 'e2']);
const nonInterrupting = boundary('esc', 'call', 'X1', false) + bossPath('esc');
const interrupting = boundary('esc', 'call', 'X1', true) + bossPath('esc');

/** A child instance's link to a parent whose catches are `escalationCatches`. */
const link = (escalationCatches?: ParentLink['escalationCatches']): ParentLink => ({
  instanceId: 'parent-1',
  elementInstanceId: 'call-1',
  elementId: 'call',
  ...(escalationCatches ? { escalationCatches } : {}),
});

describe('escalations across call activities: the parent hands its catches to the child', () => {
  it('the call activity lists the escalation catches above it, innermost first, then those above its own instance', async () => {
    const h = await Harness.of(parentXml(nonInterrupting + boundary('any', 'call', undefined, true) + flow('fa', 'any', 'e2') + eventSubProcess(undefined, true)));
    h.start({}, { parent: link([[{ code: 'OTHER', interrupting: true }]]) });
    const [spawn] = h.effectsOf('startChildInstance');
    expect(spawn?.escalationCatches).toEqual([
      [
        { code: 'LATE', interrupting: false },
        { interrupting: true },
      ],
      [{ interrupting: true }],
      [{ code: 'OTHER', interrupting: true }],
    ]);
  });

  it('without escalation catches above, the start effect carries none', async () => {
    const h = await Harness.of(parentXml(''));
    h.start();
    expect(h.effectsOf('startChildInstance')[0]).not.toHaveProperty('escalationCatches');
  });
});

describe('escalations across call activities: the child', () => {
  it('an escalation it does not catch notifies the parent (not final) and the thrower goes on', async () => {
    const child = await Harness.of(childXml, 'child');
    child.start({ a: 1 }, { parent: link([[{ code: 'LATE', interrupting: false }]]) });
    expect(child.effectsOf('notifyParent')).toEqual([{ type: 'notifyParent', parent: link([[{ code: 'LATE', interrupting: false }]]), outcome: 'escalation', escalationCode: 'LATE', variables: { a: 1 } }]);
    expect(child.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', toParent: true });
    expect(child.active()).toEqual(['work']);
    expect(child.status).toBe('active');
  });

  it('nobody above catches it: still notified (the parent records it), the thrower goes on', async () => {
    const child = await Harness.of(childXml, 'child');
    child.start({}, { parent: link() });
    expect(child.effectsOf('notifyParent')).toMatchObject([{ outcome: 'escalation', escalationCode: 'LATE' }]);
    expect(child.active()).toEqual(['work']);
  });

  it('an interrupting catch above: the thrower waits to be canceled with the instance', async () => {
    const child = await Harness.of(childXml, 'child');
    child.start({}, { parent: link([[{ interrupting: true }]]) });
    expect(child.effectsOf('notifyParent')).toMatchObject([{ outcome: 'escalation', escalationCode: 'LATE' }]);
    expect(child.active()).toEqual(['raise']);
    expect(child.effectsOf('createUserTask')).toEqual([]);
    child.run({ type: 'cancel', byParent: true });
    expect(child.status).toBe('canceled');
    expect(child.path('element.terminated')).toEqual(['raise']);
  });

  it('the catch above is picked like findCatch: first matching level, exact code before catch-all', async () => {
    const goesOn = async (escalationCatches: ParentLink['escalationCatches']): Promise<boolean> => {
      const child = await Harness.of(childXml, 'child');
      child.start({}, { parent: link(escalationCatches) });
      return child.active().includes('work');
    };
    expect(await goesOn([[{ code: 'OTHER', interrupting: true }], [{ code: 'LATE', interrupting: false }]])).toBe(true);
    expect(await goesOn([[{ interrupting: true }, { code: 'LATE', interrupting: false }]])).toBe(true);
    expect(await goesOn([[{ code: 'LATE', interrupting: true }, { interrupting: false }]])).toBe(false);
    expect(await goesOn([[{ code: 'OTHER', interrupting: false }], [{ interrupting: true }]])).toBe(false);
  });

  it('an escalation end event with only a non-interrupting catch above completes: the child completes after notifying', async () => {
    const child = await Harness.of(childEndXml, 'childEnd');
    child.start({}, { parent: link([[{ code: 'LATE', interrupting: false }]]) });
    child.completeTask('work');
    expect(child.status).toBe('completed');
    expect(child.effectsOf('notifyParent', child.last.effects).map((e) => e.outcome)).toEqual(['escalation', 'completed']);
  });

  it('an escalation caught inside the child does not reach the parent', async () => {
    const child = await Harness.of(childCatchesXml, 'childCatches');
    child.start({}, { parent: link([[{ interrupting: true }]]) });
    expect(child.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', caughtBy: 'own' });
    expect(child.effectsOf('notifyParent')).toEqual([]);
    expect(child.active()).toEqual(['ownTask', 'work']);
  });
});

describe('escalations across call activities: the parent', () => {
  async function started(xml: string, parent?: ParentLink): Promise<{ h: Harness; childInstanceId: string; callId: string }> {
    const h = await Harness.of(xml, parent ? 'mid' : 'parent');
    h.start({}, parent ? { parent } : {});
    const [spawn] = h.effectsOf('startChildInstance');
    return { h, childInstanceId: spawn!.childInstanceId, callId: spawn!.parentElementInstanceId };
  }

  it('non-interrupting boundary on the call activity: a token on the boundary path, the child keeps running', async () => {
    const { h, childInstanceId, callId } = await started(parentXml(nonInterrupting));
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE', variables: { x: 1 } });
    expect(h.active()).toEqual(['boss', 'call']);
    expect(h.effectsOf('cancelChildInstance')).toEqual([]);
    expect(h.eventsOf('escalation.thrown')).toEqual([{ type: 'escalation.thrown', elementId: 'call', elementInstanceId: callId, data: { code: 'LATE', fromChild: childInstanceId, caughtBy: 'esc' } }]);
    // Without output mappings the escalation passes nothing: the child's variables arrive when it completes.
    expect(h.variables).toEqual({});
    h.run({ type: 'childCompleted', childInstanceId, variables: { x: 2 } });
    expect(h.active()).toEqual(['boss', 'next']);
    expect(h.variables).toEqual({ x: 2 });
  });

  it('interrupting boundary: the call activity is terminated, the child canceled; output mappings pick what reaches the catch', async () => {
    const { h, childInstanceId, callId } = await started(parentXml(interrupting, 'child', '<zeebe:ioMapping><zeebe:output source="= reason" target="lateReason"/></zeebe:ioMapping>'));
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE', variables: { reason: 'stuck', noise: true } });
    expect(h.active()).toEqual(['boss']);
    expect(h.effectsOf('cancelChildInstance')).toEqual([{ type: 'cancelChildInstance', childInstanceId, parentElementInstanceId: callId }]);
    expect(h.path('element.terminated')).toEqual(['call']);
    expect(h.variables).toEqual({ lateReason: 'stuck' });
    // A late result of the canceled child changes nothing.
    expect(() => h.run({ type: 'childCompleted', childInstanceId, variables: {} })).toThrow(expect.objectContaining({ code: 'stale' }));
  });

  it('a catch-all boundary catches any code', async () => {
    const { h, childInstanceId } = await started(parentXml(boundary('esc', 'call', undefined, true) + bossPath('esc')));
    h.run({ type: 'childEscalated', childInstanceId, code: 'WHATEVER' });
    expect(h.active()).toEqual(['boss']);
  });

  it('an escalation event subprocess of the parent scope catches it (interrupting: the child is canceled)', async () => {
    const { h, childInstanceId } = await started(parentXml(eventSubProcess('X1', true)));
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE' });
    expect(h.active()).toEqual(['esp', 'handle']);
    expect(h.effectsOf('cancelChildInstance')).toMatchObject([{ childInstanceId }]);
  });

  it('a non-interrupting escalation event subprocess runs beside the call activity', async () => {
    const { h, childInstanceId } = await started(parentXml(eventSubProcess('X1', false)));
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE' });
    expect(h.active()).toEqual(['call', 'esp', 'handle']);
    expect(h.effectsOf('cancelChildInstance')).toEqual([]);
  });

  it('nobody catches it in a root instance: only recorded, no incident; the call activity completes as usual', async () => {
    const { h, childInstanceId } = await started(parentXml(boundary('esc', 'call', 'X2', true) + bossPath('esc')));
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE' });
    expect(h.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', fromChild: childInstanceId, caught: false });
    expect(h.incidents()).toEqual([]);
    expect(h.effectsOf('notifyParent')).toEqual([]);
    expect(h.active()).toEqual(['call']);
    h.run({ type: 'childCompleted', childInstanceId, variables: {} });
    expect(h.active()).toEqual(['next']);
  });

  it('nobody catches it in an instance that is itself a child: passed on to its parent with its own variables', async () => {
    const { h, childInstanceId } = await started(parentXml('', 'child', '', 'mid'), link());
    h.run({ type: 'setVariables', variables: { mine: 1 } });
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE', variables: { childs: 2 } });
    expect(h.effectsOf('notifyParent', h.last.effects)).toEqual([{ type: 'notifyParent', parent: link(), outcome: 'escalation', escalationCode: 'LATE', variables: { mine: 1 } }]);
    expect(h.eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', fromChild: childInstanceId, toParent: true });
    expect(h.active()).toEqual(['call']);
  });

  it('Camunda 7: camunda:out mappings of the call activity pass the child variables to the catch', async () => {
    const h = await Harness.of(
      camunda(
        `
        <bpmn:startEvent id="s"/>
        <bpmn:callActivity id="call" calledElement="child"><bpmn:extensionElements><camunda:out source="reason" target="lateReason"/></bpmn:extensionElements></bpmn:callActivity>
        ${boundary('esc', 'call', 'X1', false)}<bpmn:userTask id="boss"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e"/>
        ${chain(['s', 'call', 'e'])}${bossPath('esc')}
      `,
        'parent',
        roots,
      ),
    );
    h.start();
    const childInstanceId = h.child('call');
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE', variables: { reason: 'stuck', noise: 1 } });
    expect(h.variables).toEqual({ lateReason: 'stuck' });
    expect(h.active()).toEqual(['boss', 'call']);
  });

  it('a child escalation for a call activity that is gone is stale', async () => {
    const { h, childInstanceId } = await started(parentXml(interrupting));
    h.run({ type: 'childEscalated', childInstanceId, code: 'LATE' });
    expect(() => h.run({ type: 'childEscalated', childInstanceId, code: 'LATE' })).toThrow(expect.objectContaining({ code: 'stale' }));
  });
});

describe('escalations across call activities: the whole hierarchy', () => {
  const midXml = zeebe(
    `<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity><bpmn:endEvent id="e"/>${chain(['s', 'call', 'e'])}`,
    'mid',
    roots,
  );

  it('non-interrupting boundary on the call activity: the parent gets the boundary token, the child goes on and completes, then the call activity', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml(nonInterrupting), child: childXml });
    const root = hierarchy.start('parent');
    const parent = hierarchy.get(root);
    const childId = hierarchy.childOf(root, 'call');
    const child = hierarchy.get(childId);
    expect(parent.active()).toEqual(['boss', 'call']);
    expect(child.active()).toEqual(['work']);
    hierarchy.completeTask(childId, 'work');
    expect(child.status).toBe('completed');
    expect(parent.active()).toEqual(['boss', 'next']);
  });

  it('interrupting boundary on the call activity: the child is canceled before its thrower completes, the parent takes the boundary path', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml(interrupting), child: childXml });
    const root = hierarchy.start('parent');
    const child = hierarchy.get(hierarchy.childOf(root, 'call'));
    expect(hierarchy.get(root).active()).toEqual(['boss']);
    expect(child.status).toBe('canceled');
    expect(child.path()).not.toContain('raise');
    expect(child.effectsOf('createUserTask')).toEqual([]);
  });

  it('escalation end event, non-interrupting catch: the child completes normally and so does the call activity', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml(nonInterrupting, 'childEnd'), childEnd: childEndXml });
    const root = hierarchy.start('parent');
    const childId = hierarchy.childOf(root, 'call');
    hierarchy.completeTask(childId, 'work');
    expect(hierarchy.get(childId).status).toBe('completed');
    expect(hierarchy.get(childId).path()).toContain('done');
    expect(hierarchy.get(root).active()).toEqual(['boss', 'next']);
  });

  it('escalation end event, interrupting catch: the child is canceled, its end event never completes', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml(interrupting, 'childEnd'), childEnd: childEndXml });
    const root = hierarchy.start('parent');
    const childId = hierarchy.childOf(root, 'call');
    hierarchy.completeTask(childId, 'work');
    expect(hierarchy.get(childId).status).toBe('canceled');
    expect(hierarchy.get(childId).path()).not.toContain('done');
    expect(hierarchy.get(root).active()).toEqual(['boss']);
  });

  it('caught interrupting by the grandparent: the middle instance and the child are canceled', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml(interrupting, 'mid'), mid: midXml, child: childXml });
    const root = hierarchy.start('parent');
    const mid = hierarchy.get(hierarchy.childOf(root, 'call'));
    const child = hierarchy.get(hierarchy.childOf(hierarchy.childOf(root, 'call'), 'call'));
    expect(hierarchy.get(root).active()).toEqual(['boss']);
    expect(mid.status).toBe('canceled');
    expect(mid.eventsOf('escalation.thrown')[0]?.data).toMatchObject({ code: 'LATE', toParent: true });
    expect(child.status).toBe('canceled');
    expect(child.path()).not.toContain('raise');
  });

  it('caught non-interrupting by the grandparent: everyone goes on', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml(nonInterrupting, 'mid'), mid: midXml, child: childXml });
    const root = hierarchy.start('parent');
    const midId = hierarchy.childOf(root, 'call');
    const childId = hierarchy.childOf(midId, 'call');
    expect(hierarchy.get(root).active()).toEqual(['boss', 'call']);
    hierarchy.completeTask(childId, 'work');
    expect(hierarchy.get(childId).status).toBe('completed');
    expect(hierarchy.get(midId).status).toBe('completed');
    expect(hierarchy.get(root).active()).toEqual(['boss', 'next']);
  });

  it('uncaught anywhere: recorded in every instance, nothing stops, no incident', async () => {
    const hierarchy = await CallHierarchy.of({ parent: parentXml('', 'mid'), mid: midXml, child: childXml });
    const root = hierarchy.start('parent');
    const midId = hierarchy.childOf(root, 'call');
    const childId = hierarchy.childOf(midId, 'call');
    expect(hierarchy.get(childId).eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', toParent: true });
    expect(hierarchy.get(midId).eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', fromChild: childId, toParent: true });
    expect(hierarchy.get(root).eventsOf('escalation.thrown')[0]?.data).toEqual({ code: 'LATE', fromChild: midId, caught: false });
    expect(hierarchy.get(root).incidents()).toEqual([]);
    hierarchy.completeTask(childId, 'work');
    expect(hierarchy.get(root).active()).toEqual(['next']);
  });

  it('a multi-instance call activity: the boundary on the body catches; interrupting cancels every child', async () => {
    const parent = parentXml(interrupting).replace(
      '</bpmn:extensionElements></bpmn:callActivity>',
      '</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:callActivity>',
    );
    const hierarchy = await CallHierarchy.of({ parent, child: childXml });
    const root = hierarchy.start('parent');
    const children = hierarchy.get(root).effectsOf('startChildInstance').map((e) => hierarchy.get(e.childInstanceId));
    expect(children).toHaveLength(2);
    expect(children.map((c) => c.status)).toEqual(['canceled', 'canceled']);
    expect(hierarchy.get(root).active()).toEqual(['boss']);
  });
});
