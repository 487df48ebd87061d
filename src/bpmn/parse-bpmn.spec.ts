import { parseBpmn, processStartEvents, type BpmnParseResult, type DeploymentProblem, type ProcessModel } from './index.js';

const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

/** A model whose process body starts on line 3 (line 1: definitions, line 2: process). */
function model(body: string, processAttrs = 'isExecutable="true"'): string {
  return `<bpmn:definitions ${NS} id="defs">\n<bpmn:process id="p" ${processAttrs}>\n${body}\n</bpmn:process>\n</bpmn:definitions>`;
}

const START_END = `<bpmn:startEvent id="start"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
<bpmn:endEvent id="end"/>`;

function problemsOf(r: BpmnParseResult): DeploymentProblem[] {
  if (r.ok) throw new Error(`expected problems, got a model: ${JSON.stringify(r.processes.map((p) => p.id))}`);
  return r.problems;
}

function processOf(r: BpmnParseResult, index = 0): ProcessModel {
  if (!r.ok) throw new Error(`expected a model, got problems: ${JSON.stringify(r.problems, null, 1)}`);
  return r.processes[index]!;
}

describe('parseBpmn: a valid model', () => {
  it('compiles a start → end process into plain, frozen JSON', async () => {
    const r = await parseBpmn(model(START_END));
    const p = processOf(r);
    expect(p).toMatchObject({ id: 'p', dialect: 'bpmn' });
    expect(p.elements['start']).toMatchObject({ kind: 'startEvent', parentId: 'p', incoming: [], outgoing: ['f1'] });
    expect(p.elements['end']).toMatchObject({ kind: 'endEvent', incoming: ['f1'], outgoing: [] });
    expect(p.flows['f1']).toEqual({ id: 'f1', sourceId: 'start', targetId: 'end', isDefault: false });
    expect(p.scopes['p']).toMatchObject({ kind: 'process', startEventIds: ['start'], noneStartEventId: 'start' });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(Object.isFrozen(p.elements['start'])).toBe(true);
  });

  it('accepts bytes declared ISO-8859-1 and decodes them as Latin-1', async () => {
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>\n${model(START_END.replace('id="end"', 'id="end" name="Ende \u00fcberall"'))}`;
    const r = await parseBpmn(Buffer.from(xml, 'latin1'));
    expect(processOf(r).elements['end']?.name).toBe('Ende \u00fcberall');
  });

  it('ignores non-executable processes, lanes, annotations, data objects and documentation', async () => {
    const xml = model(
      `<bpmn:documentation>why</bpmn:documentation>
<bpmn:laneSet id="ls"><bpmn:lane id="lane"><bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
${START_END}
<bpmn:dataObject id="do"/><bpmn:dataObjectReference id="dor" dataObjectRef="do"/>
<bpmn:textAnnotation id="ta"><bpmn:text>note</bpmn:text></bpmn:textAnnotation>
<bpmn:association id="as" sourceRef="start" targetRef="ta"/>`,
    );
    const p = processOf(await parseBpmn(xml));
    expect(Object.keys(p.elements).sort()).toEqual(['end', 'start']);
  });

  it('a collaboration with two executable processes gives two models; a black-box pool gives none', async () => {
    const xml = `<bpmn:definitions ${NS} id="defs">
<bpmn:collaboration id="c">
  <bpmn:participant id="pa" processRef="a"/><bpmn:participant id="pb" processRef="b"/><bpmn:participant id="pc" processRef="c1"/>
</bpmn:collaboration>
<bpmn:process id="a" isExecutable="true">${START_END}</bpmn:process>
<bpmn:process id="b" isExecutable="true"><bpmn:startEvent id="s2"/></bpmn:process>
<bpmn:process id="c1" isExecutable="false"><bpmn:complexGateway id="cg"/></bpmn:process>
</bpmn:definitions>`;
    const r = await parseBpmn(xml);
    expect(r.ok && r.processes.map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('keeps unreachable flow nodes (not an error)', async () => {
    const p = processOf(await parseBpmn(model(`${START_END}\n<bpmn:task id="orphan"/>`)));
    expect(p.elements['orphan']).toMatchObject({ kind: 'task', incoming: [] });
  });

  it('records subprocess and event subprocess scopes and boundary attachments', async () => {
    const xml = model(`${START_END}
<bpmn:subProcess id="sub">
  <bpmn:startEvent id="subStart"/><bpmn:sequenceFlow id="sf" sourceRef="subStart" targetRef="subEnd"/><bpmn:endEvent id="subEnd"/>
</bpmn:subProcess>
<bpmn:boundaryEvent id="b" attachedToRef="sub" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:subProcess id="esp" triggeredByEvent="true">
  <bpmn:startEvent id="espStart" isInterrupting="false"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent>
</bpmn:subProcess>
</bpmn:process>
<bpmn:signal id="sig" name="warehouse-closed"/>
<bpmn:process id="unused" isExecutable="false">`);
    const p = processOf(await parseBpmn(xml));
    expect(p.elements['sub']).toMatchObject({ kind: 'subProcess', boundaryEventIds: ['b'] });
    expect(p.elements['b']).toMatchObject({
      kind: 'boundaryEvent',
      attachedTo: 'sub',
      cancelActivity: false,
      eventDefinition: { type: 'timer', timerType: 'timeCycle', text: 'R3/PT1H' },
    });
    expect(p.elements['esp']).toMatchObject({ kind: 'eventSubProcess', startEventId: 'espStart' });
    expect(p.elements['espStart']).toMatchObject({ parentId: 'esp', interrupting: false, eventDefinition: { type: 'signal', name: 'warehouse-closed' } });
    expect(p.scopes['sub']).toMatchObject({ kind: 'subProcess', parentId: 'p', noneStartEventId: 'subStart' });
    expect(p.scopes['p']?.eventSubProcessIds).toEqual(['esp']);
  });

  it('resolves message names, correlation keys, error and escalation codes', async () => {
    const xml = `<bpmn:definitions ${NS} xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs">
<bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
  <bpmn:endEvent id="end"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>
  <bpmn:subProcess id="esp" triggeredByEvent="true">
    <bpmn:startEvent id="escStart"><bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:startEvent>
  </bpmn:subProcess>
</bpmn:process>
<bpmn:message id="m" name="delivery-confirmed"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
<bpmn:error id="err" errorCode="ADDRESS_MISSING"/>
<bpmn:escalation id="esc" escalationCode="LATE"/>
</bpmn:definitions>`;
    const p = processOf(await parseBpmn(xml));
    expect(p.elements['wait']).toMatchObject({ eventDefinition: { type: 'message', name: 'delivery-confirmed', correlationKey: '=orderId' } });
    expect(p.elements['end']).toMatchObject({ eventDefinition: { type: 'error', code: 'ADDRESS_MISSING' } });
    expect(p.elements['escStart']).toMatchObject({ eventDefinition: { type: 'escalation', code: 'LATE' } });
  });
  it('an event-based gateway races a message (receive task) against a timer; start events by trigger', async () => {
    const xml = `<bpmn:definitions ${NS} id="defs">
<bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:startEvent id="nightly"><bpmn:timerEventDefinition><bpmn:timeCycle>R/2030-01-01T00:00:00Z/P1D</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
  <bpmn:startEvent id="byMessage"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="race"/>
  <bpmn:eventBasedGateway id="race"/>
  <bpmn:sequenceFlow id="f1" sourceRef="race" targetRef="confirm"/>
  <bpmn:sequenceFlow id="f2" sourceRef="race" targetRef="late"/>
  <bpmn:receiveTask id="confirm" messageRef="m"/>
  <bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
</bpmn:process>
<bpmn:message id="m" name="delivery-confirmed"/>
</bpmn:definitions>`;
    const p = processOf(await parseBpmn(xml));
    expect(p.elements['confirm']).toMatchObject({ kind: 'receiveTask', message: { type: 'message', name: 'delivery-confirmed' } });
    expect(p.elements['race']).toMatchObject({ kind: 'eventBasedGateway', outgoing: ['f1', 'f2'] });
    const starts = processStartEvents(p);
    expect(starts.none?.id).toBe('start');
    expect(starts.timer.map((s) => s.id)).toEqual(['nightly']);
    expect(starts.message.map((s) => s.id)).toEqual(['byMessage']);
  });

  it('what bpmn-moddle merely notices becomes a warning, not a problem', async () => {
    const xml = `<bpmn:definitions ${NS} xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="defs">
<bpmn:process id="p" isExecutable="true" camunda:notAnAttribute="1">
  <bpmn:extensionElements><camunda:futureFeature/></bpmn:extensionElements>
  ${START_END}
</bpmn:process>
<bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="gone"/></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
    const r = await parseBpmn(xml);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        { elementId: 'p', message: "attribute 'camunda:notAnAttribute' is not understood and is ignored" },
        { elementId: 'p', message: 'extension element <camunda:futureFeature> is not understood and is ignored' },
        { elementId: 'plane', message: "bpmndi:BPMNPlane 'plane': bpmnElement 'gone' does not exist; the reference is ignored" },
      ]),
    );
  });

  it('a default flow loses its condition, with a warning; unconditioned exclusive splits are warned about', async () => {
    const xml = model(`<bpmn:startEvent id="start"/>
<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>
<bpmn:exclusiveGateway id="gw" default="dflt"/>
<bpmn:sequenceFlow id="dflt" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>\${true}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="plain" sourceRef="gw" targetRef="end"/>
<bpmn:endEvent id="end"/>`);
    const r = await parseBpmn(xml);
    const p = processOf(r);
    expect(p.elements['gw']).toMatchObject({ defaultFlow: 'dflt' });
    expect(p.flows['dflt']).toEqual({ id: 'dflt', sourceId: 'gw', targetId: 'end', isDefault: true });
    expect(r.ok && r.warnings.map((w) => w.elementId)).toEqual(['dflt', 'plain']);
  });
});

describe('parseBpmn: problems carry the element id and its position', () => {
  // Each row: a body (starting on line 3), the element the problem names, and a fragment of its message.
  const cases: [string, string, string | undefined, number | undefined, RegExp][] = [
    ['unsupported element, named', `${START_END}\n<bpmn:complexGateway id="Gateway_1"/>`, 'Gateway_1', 6, /bpmn:ComplexGateway 'Gateway_1' is not supported/],
    ['flow to a missing element', `${START_END}\n<bpmn:sequenceFlow id="dangling" sourceRef="start" targetRef="nowhere"/>`, 'dangling', 6, /targetRef 'nowhere' does not exist/],
    ['flow without a source', `${START_END}\n<bpmn:sequenceFlow id="half" targetRef="end"/>`, 'half', 6, /has no sourceRef/],
    ['gateway without outgoing flow', `${START_END}\n<bpmn:exclusiveGateway id="gw"/>`, 'gw', 6, /gateway 'gw' has no outgoing/],
    [
      'condition that does not parse',
      `<bpmn:startEvent id="start"/>\n<bpmn:sequenceFlow id="c" sourceRef="start" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt;</bpmn:conditionExpression></bpmn:sequenceFlow>\n<bpmn:endEvent id="end"/>`,
      'c',
      4,
      /condition of sequence flow 'c' '=amount >' is not a valid expression/,
    ],
    [
      'condition that is no expression',
      `<bpmn:startEvent id="start"/>\n<bpmn:sequenceFlow id="c" sourceRef="start" targetRef="end"><bpmn:conditionExpression>amount &gt; 5</bpmn:conditionExpression></bpmn:sequenceFlow>\n<bpmn:endEvent id="end"/>`,
      'c',
      4,
      /is not an expression: write FEEL as '=amount > 5'/,
    ],
    [
      'timer that does not parse',
      `${START_END}\n<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>five minutes</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`,
      't',
      6,
      /timer timeDuration 'five minutes' does not parse/,
    ],
    ['service task without job type', `${START_END}\n<bpmn:serviceTask id="st"/>`, 'st', 6, /service task 'st' has no job type/],
    ['boundary event without attachedToRef', `${START_END}\n<bpmn:boundaryEvent id="b"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`, 'b', 6, /boundary event 'b' has no attachedToRef/],
    ['start event with incoming flows', `${START_END}\n<bpmn:task id="t"/>\n<bpmn:sequenceFlow id="back" sourceRef="t" targetRef="start"/>`, 'start', 3, /start event 'start' has incoming sequence flows \(back\)/],
    ['two none start events', `${START_END}\n<bpmn:startEvent id="start2"/>`, 'start2', 6, /2 none start events/],
    ['no start event', '<bpmn:task id="t"/>', 'p', 2, /process 'p' has no start event/],
    ['standard loop, named', `${START_END}\n<bpmn:task id="loop"><bpmn:standardLoopCharacteristics/></bpmn:task>`, 'loop', 6, /bpmn:StandardLoopCharacteristics on 'loop' is not supported/],
    ['compensation, named', `${START_END}\n<bpmn:intermediateThrowEvent id="comp"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>`, 'comp', 6, /bpmn:CompensateEventDefinition on intermediate throw event 'comp' is not supported/],
    ['transaction, named', `${START_END}\n<bpmn:transaction id="tx"/>`, 'tx', 6, /bpmn:Transaction 'tx' is not supported/],
    ['conditional start, named', `<bpmn:startEvent id="cs"><bpmn:conditionalEventDefinition><bpmn:condition>\${a}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>`, 'cs', 3, /ConditionalEventDefinition on start event 'cs' is not supported/],
    ['duplicate ids', `${START_END}\n<bpmn:task id="end"/>`, 'end', 6, /duplicate id 'end'/],
    ['message catch without messageRef', `${START_END}\n<bpmn:intermediateCatchEvent id="mc"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>`, 'mc', 6, /'mc' waits for a message but has no messageRef/],
    ['message end event without job type', `<bpmn:startEvent id="start"/>\n<bpmn:endEvent id="me"><bpmn:messageEventDefinition/></bpmn:endEvent>`, 'me', 4, /message end event 'me' needs a job type/],
    ['business rule task without job type', `${START_END}\n<bpmn:businessRuleTask id="br"/>`, 'br', 6, /business rule task 'br' has no job type/],
    ['script task in JavaScript, named', `${START_END}\n<bpmn:scriptTask id="js" scriptFormat="javascript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>`, 'js', 6, /bpmn:ScriptTask 'js' is written in javascript: scripts are code/],
    ['subprocess without start', `${START_END}\n<bpmn:subProcess id="sp"><bpmn:task id="inner"/></bpmn:subProcess>`, 'sp', 6, /subprocess 'sp' must contain exactly one none start event/],
    ['flow across a subprocess boundary', `${START_END}\n<bpmn:subProcess id="sp"><bpmn:startEvent id="ss"/></bpmn:subProcess>\n<bpmn:sequenceFlow id="cross" sourceRef="ss" targetRef="end"/>`, 'cross', 7, /flows cannot cross subprocess boundaries/],
    ['default flow that is not outgoing', `${START_END}\n<bpmn:exclusiveGateway id="gw" default="f1"><bpmn:outgoing>x</bpmn:outgoing></bpmn:exclusiveGateway>\n<bpmn:sequenceFlow id="x" sourceRef="gw" targetRef="end"/>`, 'gw', 6, /default flow 'f1' of 'gw' is not one of its outgoing/],
    ['event-based gateway into a task', `${START_END}\n<bpmn:eventBasedGateway id="eg"/>\n<bpmn:task id="t"/>\n<bpmn:sequenceFlow id="x" sourceRef="eg" targetRef="t"/>`, 'eg', 6, /event-based gateway 'eg' leads to task 't'/],
    ['error boundary on a gateway', `${START_END}\n<bpmn:parallelGateway id="pg"/><bpmn:sequenceFlow id="x" sourceRef="pg" targetRef="end"/>\n<bpmn:boundaryEvent id="b" attachedToRef="pg"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>`, 'b', 7, /boundary events belong on activities/],
    ['end event with outgoing flow', `${START_END}\n<bpmn:task id="t"/><bpmn:sequenceFlow id="x" sourceRef="end" targetRef="t"/>`, 'end', 5, /end event 'end' has outgoing/],
  ];

  it.each(cases)('%s', async (_name, body, elementId, line, message) => {
    const problems = problemsOf(await parseBpmn(model(body)));
    const match = problems.find((p) => message.test(p.message));
    expect(match).toBeDefined();
    expect(match).toMatchObject({ elementId, line });
  });

  it('reports every problem of a file at once', async () => {
    const body = `${START_END}
<bpmn:complexGateway id="cg"/>
<bpmn:serviceTask id="st"/>
<bpmn:exclusiveGateway id="gw"/>
<bpmn:sequenceFlow id="d" sourceRef="start" targetRef="missing"/>`;
    const ids = problemsOf(await parseBpmn(model(body))).map((p) => p.elementId);
    expect(ids).toEqual(expect.arrayContaining(['cg', 'st', 'gw', 'd']));
  });

  it("a literal job type naming one of Flowdesk's queues is refused at deploy; one with a colon is warned about", async () => {
    const zeebeModel = (types: string[]) => `<bpmn:definitions ${NS} xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs"><bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="start"/>${types.map((type, i) => `<bpmn:serviceTask id="st${i}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}"/></bpmn:extensionElements></bpmn:serviceTask>`).join('')}
      <bpmn:endEvent id="end"/><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end"/></bpmn:process></bpmn:definitions>`;
    const problems = problemsOf(await parseBpmn(zeebeModel(['billing:charge', 'flowdesk-results', 'flowdesk-mail', 'fine-type'])));
    expect(problems.map((p) => [p.elementId, p.message])).toEqual([
      ['st1', "job type 'flowdesk-results' is reserved for one of Flowdesk's own queues"],
      ['st2', "job type 'flowdesk-mail' is reserved for one of Flowdesk's own queues"],
    ]);
    const connector = await parseBpmn(zeebeModel(['io.camunda:http-json:1']));
    if (!connector.ok) throw new Error(`expected a model, got ${JSON.stringify(connector.problems)}`);
    expect(connector.warnings).toEqual([
      expect.objectContaining({ elementId: 'st0', message: "job type 'io.camunda:http-json:1' cannot name a BullMQ queue (':' separates BullMQ's key parts): the task will fail with an incident until it gets another job type" }),
    ]);
  });

  it('a file whose processes are all non-executable has no executable process', async () => {
    const problems = problemsOf(await parseBpmn(model(START_END, 'isExecutable="false"')));
    expect(problems).toEqual([{ message: `no executable process: every process is marked isExecutable="false" ('p')` }]);
  });

  it('a file without any process', async () => {
    const problems = problemsOf(await parseBpmn(`<bpmn:definitions ${NS} id="d"><bpmn:message id="m" name="x"/></bpmn:definitions>`));
    expect(problems[0]?.message).toBe('the file contains no process');
  });
});

describe('parseBpmn: hostile and broken files are refused before bpmn-moddle', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions ${NS} id="d"><bpmn:process id="p" name="&lol3;"/></bpmn:definitions>`;
  const xxe = `<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions ${NS} id="d"><bpmn:process id="p" name="&xxe;"/></bpmn:definitions>`;

  const cases: [string, string, RegExp, number | undefined][] = [
    ['billion laughs', billionLaughs, /DOCTYPE and ENTITY declarations are refused/, 2],
    ['XXE', xxe, /DOCTYPE and ENTITY declarations are refused/, 2],
    ['malformed XML', `<bpmn:definitions ${NS} id="d">\n<bpmn:process id="p">\n</bpmn:definitions>`, /XML is not well-formed/, 3],
    ['an undefined entity', `<bpmn:definitions ${NS} id="d">\n<bpmn:process id="p" name="&x;"/></bpmn:definitions>`, /XML is not well-formed: undefined entity/, 2],
    ['not BPMN', `<?xml version="1.0"?>\n<html><body/></html>`, /not a BPMN 2.0 model: the root element is html/, 2],
    ['an old BPMN draft namespace', `<definitions xmlns="http://schema.omg.org/spec/BPMN/2.0" id="d"/>`, /root element is \{http:\/\/schema.omg.org\/spec\/BPMN\/2.0\}definitions/, 1],
    ['empty text', '', /not well-formed|no XML element/, undefined],
    ['too deep', model(`${'<bpmn:extensionElements>'}${'<x>'.repeat(150)}${'</x>'.repeat(150)}</bpmn:extensionElements>`), /nested deeper than 100 levels/, 3],
  ];

  it.each(cases)('%s', async (_name, xml, message, line) => {
    const problems = problemsOf(await parseBpmn(xml));
    expect(problems[0]?.message).toMatch(message);
    if (line !== undefined) expect(problems[0]?.line).toBe(line);
  });

  it('too many elements', async () => {
    const problems = problemsOf(await parseBpmn(model(`${START_END}${'<bpmn:task/>'.repeat(50)}`), { maxElements: 40 }));
    expect(problems[0]?.message).toBe('the model has more than 40 XML elements');
  });

  it('a file over the byte limit', async () => {
    const problems = problemsOf(await parseBpmn(model(START_END), { maxBytes: 100 }));
    expect(problems[0]?.message).toMatch(/the limit is 100/);
  });

  it('a flood of unknown elements (0.6 MB) is refused unread, fast', async () => {
    const flood = model(`${START_END}${'<x:unknown xmlns:x="urn:flood" a="1"/>'.repeat(16_000)}`);
    expect(flood.length).toBeGreaterThan(600_000);
    const started = Date.now();
    const problems = problemsOf(await parseBpmn(flood));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(problems[0]?.message).toMatch(/16000 elements that are not BPMN 2.0 .* refused unread/);
    expect(problems[1]).toMatchObject({ line: 5, message: 'unknown element <x:unknown>' });
  });

  it('a flood of duplicate ids is refused unread', async () => {
    const problems = problemsOf(await parseBpmn(model(`${START_END}${'<bpmn:task id="t"/>'.repeat(5_000)}`)));
    expect(problems[0]?.message).toMatch(/4999 duplicate ids/);
  });

  it('a few unknown elements are named with their position', async () => {
    const problems = problemsOf(await parseBpmn(model(`${START_END}\n<bpmn:fancyTask id="ft"/>`)));
    expect(problems).toContainEqual({ line: 6, column: 1, message: 'unknown element <bpmn:fancyTask>' });
  });
});

describe('xmlHash', () => {
  it('is the same for the same model with other whitespace, line endings, comments and declaration', async () => {
    const a = await parseBpmn(model(START_END));
    const variant = `<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- exported -->\r\n${model(START_END).replace(/\n/g, '\r\n    ').replace(/></g, '>\n  <')}\n`;
    const b = await parseBpmn(variant);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.xmlHash).toBe(a.xmlHash);
    if (a.ok) expect(a.xmlHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when the model changes', async () => {
    const a = await parseBpmn(model(START_END));
    const b = await parseBpmn(model(START_END.replace('id="end"', 'id="end" name="Done"')));
    expect(a.ok && b.ok && a.xmlHash !== b.xmlHash).toBe(true);
  });
});
