import { chain, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const roots = `<bpmn:message id="M1" name="cancel-order"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId"/></bpmn:extensionElements></bpmn:message>`;

const xml = zeebe(
  `
  <bpmn:startEvent id="s"/>
  <bpmn:subProcess id="sub">
    <bpmn:startEvent id="ss"/>
    <bpmn:userTask id="work"/>
    <bpmn:endEvent id="se"/>
    ${chain(['ss', 'work', 'se'])}
    <bpmn:subProcess id="canceled" triggeredByEvent="true">
      <bpmn:startEvent id="cancelStart"><bpmn:messageEventDefinition messageRef="M1"/></bpmn:startEvent>
      <bpmn:userTask id="cleanup"/>
      <bpmn:endEvent id="ce"/>
      ${chain(['cancelStart', 'cleanup', 'ce'])}
    </bpmn:subProcess>
  </bpmn:subProcess>
  <bpmn:subProcess id="reminders" triggeredByEvent="true">
    <bpmn:startEvent id="tick" isInterrupting="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:manualTask id="remind"/>
    <bpmn:endEvent id="re"/>
    ${chain(['tick', 'remind', 're'])}
  </bpmn:subProcess>
  <bpmn:endEvent id="e"/>
  ${chain(['s', 'sub', 'e'])}
`,
  'p',
  roots,
);

describe('event subprocess', () => {
  it('opens process-level and subprocess-level start triggers when their scope starts', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o1' });
    expect(h.effectsOf('scheduleTimer')).toMatchObject([{ elementId: 'tick', role: 'eventSubProcess', elementInstanceId: null, dueAt: '2026-01-06T09:00:00.000Z' }]);
    expect(h.effectsOf('openSubscription')).toMatchObject([{ elementId: 'cancelStart', role: 'eventSubProcess', correlationKey: 'o1', interrupting: true }]);
  });

  it('a non-interrupting timer start runs beside the process and reschedules (cycle)', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o1' });
    h.advance(86_400_000);
    h.fireTimer('tick');
    expect(h.path()).toContain('remind');
    expect(h.active()).toEqual(['sub', 'work']);
    expect(h.effectsOf('scheduleTimer', h.last.effects)[0]).toMatchObject({ elementId: 'tick', dueAt: '2026-01-07T09:00:00.000Z' });
  });

  it('an interrupting message start in a subprocess terminates the subprocess content, then the subprocess completes', async () => {
    const h = await Harness.of(xml);
    h.start({ orderId: 'o1' });
    const taskId = h.task('work');
    h.deliverMessage('cancelStart', { why: 'customer' });
    expect(h.effectsOf('cancelUserTask', h.last.effects)).toMatchObject([{ taskId }]);
    expect(h.active()).toEqual(['canceled', 'cleanup', 'sub']);
    h.completeTask('cleanup');
    expect(h.status).toBe('completed');
    // The process-level timer subscription closed with the instance.
    expect(h.effectsOf('cancelTimer', h.last.effects)).toHaveLength(1);
    expect(h.variables.why).toBe('customer');
  });
});
