import { parseBpmn, type BpmnParseResult, type DeploymentWarning, type ProcessModel } from './index.js';

const BPMN = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const ZEEBE = `${BPMN} xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"`;
const CAMUNDA = `${BPMN} xmlns:camunda="http://camunda.org/schema/1.0/bpmn"`;

function ok(r: BpmnParseResult): { process: ProcessModel; warnings: DeploymentWarning[] } {
  if (!r.ok) throw new Error(`expected a model, got problems: ${JSON.stringify(r.problems, null, 1)}`);
  return { process: r.processes[0]!, warnings: r.warnings };
}

const zeebeModel = `<bpmn:definitions ${ZEEBE} id="defs">
<bpmn:process id="order" isExecutable="true">
  <bpmn:extensionElements>
    <zeebe:userTaskForm id="form1">{"components":[{"key":"approved","type":"checkbox"}]}</zeebe:userTaskForm>
    <zeebe:executionListeners><zeebe:executionListener eventType="start" type="audit"/></zeebe:executionListeners>
  </bpmn:extensionElements>
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="validate"/>
  <bpmn:serviceTask id="validate">
    <bpmn:extensionElements>
      <zeebe:taskDefinition type="address-validation" retries="5"/>
      <zeebe:taskHeaders><zeebe:header key="region" value="eu"/></zeebe:taskHeaders>
      <zeebe:ioMapping>
        <zeebe:input source="=order.address" target="address"/>
        <zeebe:output source="=valid" target="addressValid"/>
      </zeebe:ioMapping>
    </bpmn:extensionElements>
  </bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="validate" targetRef="approve"/>
  <bpmn:userTask id="approve">
    <bpmn:extensionElements>
      <zeebe:assignmentDefinition assignee="=order.owner" candidateGroups="sales, managers" candidateUsers="=reviewers"/>
      <zeebe:taskSchedule dueDate="=now() + duration(&quot;P2D&quot;)" followUpDate="2030-01-01T09:00:00Z"/>
      <zeebe:priorityDefinition priority="75"/>
      <zeebe:formDefinition formKey="camunda-forms:bpmn:form1"/>
      <zeebe:taskHeaders><zeebe:header key="remindAfter" value="PT4H"/></zeebe:taskHeaders>
    </bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics isSequential="true">
      <bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result"/>
      </bpmn:extensionElements>
      <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=count(results) &gt; 2</bpmn:completionCondition>
    </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="ship"/>
  <bpmn:callActivity id="ship">
    <bpmn:extensionElements><zeebe:calledElement processId="=shippingProcess" propagateAllChildVariables="false"/></bpmn:extensionElements>
  </bpmn:callActivity>
  <bpmn:sequenceFlow id="f4" sourceRef="ship" targetRef="total"/>
  <bpmn:scriptTask id="total">
    <bpmn:extensionElements><zeebe:script expression="=sum(items.price)" resultVariable="total"/></bpmn:extensionElements>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f5" sourceRef="total" targetRef="mail"/>
  <bpmn:sendTask id="mail">
    <bpmn:extensionElements><zeebe:taskHeaders><zeebe:header key="template" value="order-shipped"/><zeebe:header key="to" value="=customer.email"/></zeebe:taskHeaders></bpmn:extensionElements>
  </bpmn:sendTask>
  <bpmn:sequenceFlow id="f6" sourceRef="mail" targetRef="notify"/>
  <bpmn:endEvent id="notify">
    <bpmn:extensionElements><zeebe:taskDefinition type="=&quot;notify-&quot; + region"/></bpmn:extensionElements>
    <bpmn:messageEventDefinition messageRef="m"/>
  </bpmn:endEvent>
</bpmn:process>
<bpmn:message id="m" name="shipped"/>
</bpmn:definitions>`;

describe('Camunda 8 (zeebe) extensions are read into the model', () => {
  it('jobs, io mappings, user tasks, forms, multi-instance, call activities, scripts, send tasks', async () => {
    const { process: p, warnings } = ok(await parseBpmn(zeebeModel));
    expect(p.dialect).toBe('zeebe');
    expect(p.elements['validate']).toMatchObject({
      kind: 'serviceTask',
      job: { type: 'address-validation', retries: 5, headers: { region: 'eu' }, source: 'zeebe:taskDefinition' },
      ioMapping: { inputs: [{ source: '=order.address', target: 'address' }], outputs: [{ source: '=valid', target: 'addressValid' }] },
    });
    expect(p.elements['approve']).toMatchObject({
      kind: 'userTask',
      userTask: {
        assignee: '=order.owner',
        candidateGroups: { literals: ['sales', 'managers'], expressions: [] },
        candidateUsers: { literals: [], expressions: ['=reviewers'] },
        dueDate: '=now() + duration("P2D")',
        followUpDate: '2030-01-01T09:00:00Z',
        priority: '75',
        form: { formKey: 'camunda-forms:bpmn:form1', schema: { components: [{ key: 'approved', type: 'checkbox' }] } },
        headers: { remindAfter: 'PT4H' },
      },
      multiInstance: {
        sequential: true,
        inputCollection: '=items',
        inputElement: 'item',
        outputCollection: 'results',
        outputElement: '=result',
        completionCondition: '=count(results) > 2',
      },
    });
    expect(p.elements['ship']).toMatchObject({
      kind: 'callActivity',
      calledElement: { processId: '=shippingProcess', binding: 'latest', propagateAllParentVariables: true, propagateAllChildVariables: false },
    });
    expect(p.elements['total']).toMatchObject({ kind: 'scriptTask', script: { expression: '=sum(items.price)', resultVariable: 'total' } });
    expect(p.elements['mail']).toMatchObject({ kind: 'sendTask', headers: { template: 'order-shipped', to: '=customer.email' } });
    expect(p.elements['mail']).not.toHaveProperty('job');
    expect(p.elements['notify']).toMatchObject({
      kind: 'endEvent',
      eventDefinition: { type: 'message', name: 'shipped' },
      job: { type: '', typeExpression: '="notify-" + region', retries: 3 },
    });
    expect(warnings).toContainEqual({ elementId: 'order', message: 'zeebe:executionListeners is ignored: execution listeners are not run' });
  });

  it('refuses a DMN decision by name and a job expression that does not parse', async () => {
    const xml = `<bpmn:definitions ${ZEEBE} id="d"><bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="s"/>
<bpmn:businessRuleTask id="rules"><bpmn:extensionElements><zeebe:calledDecision decisionId="plot-destination" resultVariable="r"/></bpmn:extensionElements></bpmn:businessRuleTask>
<bpmn:serviceTask id="bad"><bpmn:extensionElements><zeebe:taskDefinition type="=(" retries="many"/></bpmn:extensionElements></bpmn:serviceTask>
</bpmn:process></bpmn:definitions>`;
    const r = await parseBpmn(xml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ elementId: 'rules', line: 3, message: expect.stringMatching(/calls DMN decision 'plot-destination': DMN decisions are not supported/) }),
        expect.objectContaining({ elementId: 'bad', line: 4, message: expect.stringMatching(/^job type '=\(' is not a valid expression/) }),
        expect.objectContaining({ elementId: 'bad', message: "job retries 'many' is not a positive whole number (at most 2147483647)" }),
      ]),
    );
  });

  it('notification headers are checked at deploy', async () => {
    const xml = zeebeModel
      .replace('<zeebe:header key="remindAfter" value="PT4H"/>', '<zeebe:header key="remindAfter" value="4 hours"/><zeebe:header key="escalateAfter" value="P1D"/>')
      .replace('<zeebe:header key="to" value="=customer.email"/>', '<zeebe:header key="to" value="=customer."/>');
    const r = await parseBpmn(xml);
    expect(!r.ok && r.problems.map((p) => [p.elementId, p.message])).toEqual([
      ['approve', "header 'remindAfter' value '4 hours' is not an ISO-8601 duration (e.g. PT4H)"],
      ['approve', "header 'escalateAfter' needs an 'escalateTo' group"],
      ['mail', expect.stringMatching(/^header 'to' '=customer.' is not a valid expression/)],
    ]);
  });

  it('an embedded form that is missing is a problem', async () => {
    const xml = zeebeModel.replace('formKey="camunda-forms:bpmn:form1"', 'formKey="camunda-forms:bpmn:nope"');
    const r = await parseBpmn(xml);
    expect(!r.ok && r.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/form 'nope' .* is not defined/));
  });
});

const camundaModel = `<bpmn:definitions ${CAMUNDA} id="defs">
<bpmn:process id="invoice" isExecutable="true" camunda:candidateStarterGroups="accounting, sales" camunda:candidateStarterUsers="alice" camunda:historyTimeToLive="P180D" camunda:versionTag="v2">
  <bpmn:startEvent id="start" camunda:initiator="starter" camunda:formKey="embedded:app:start.html"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
  <bpmn:userTask id="approve" camunda:assignee="\${starter}" camunda:candidateGroups="accounting" camunda:candidateUsers="\${reviewers}" camunda:dueDate="P3D" camunda:followUpDate="\${followUp}" camunda:priority="60" camunda:asyncBefore="true">
    <bpmn:extensionElements>
      <camunda:formData>
        <camunda:formField id="amount" label="Amount" type="long" defaultValue="0"><camunda:validation><camunda:constraint name="required"/><camunda:constraint name="min" config="1"/></camunda:validation></camunda:formField>
        <camunda:formField id="kind" type="enum"><camunda:value id="a" name="A"/></camunda:formField>
      </camunda:formData>
      <camunda:taskListener class="org.example.Notify" event="create"/>
      <camunda:properties><camunda:property name="escalateAfter" value="P1D"/><camunda:property name="escalateTo" value="managers"/></camunda:properties>
    </bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics camunda:collection="approvers" camunda:elementVariable="approver">
      <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">\${nrOfCompletedInstances == 1}</bpmn:completionCondition>
    </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="archive"/>
  <bpmn:serviceTask id="archive" camunda:type="external" camunda:topic="invoice-archive">
    <bpmn:extensionElements>
      <camunda:properties><camunda:property name="bucket" value="invoices"/></camunda:properties>
      <camunda:inputOutput>
        <camunda:inputParameter name="text">plain text</camunda:inputParameter>
        <camunda:inputParameter name="expr">\${amount * 2}</camunda:inputParameter>
        <camunda:inputParameter name="list"><camunda:list><camunda:value>a</camunda:value><camunda:value>\${b}</camunda:value></camunda:list></camunda:inputParameter>
        <camunda:inputParameter name="map"><camunda:map><camunda:entry key="k">v</camunda:entry></camunda:map></camunda:inputParameter>
        <camunda:inputParameter name="empty"/>
        <camunda:outputParameter name="archivedAt">\${archiveDate}</camunda:outputParameter>
      </camunda:inputOutput>
      <camunda:failedJobRetryTimeCycle>R5/PT10M</camunda:failedJobRetryTimeCycle>
    </bpmn:extensionElements>
  </bpmn:serviceTask>
  <bpmn:sequenceFlow id="f3" sourceRef="archive" targetRef="java"/>
  <bpmn:serviceTask id="java" camunda:class="org.example.ArchiveDelegate"/>
  <bpmn:sequenceFlow id="f4" sourceRef="java" targetRef="bean"/>
  <bpmn:serviceTask id="bean" camunda:delegateExpression="\${archiveBean}"/>
  <bpmn:sequenceFlow id="f5" sourceRef="bean" targetRef="call"/>
  <bpmn:serviceTask id="call" camunda:expression="\${archiveService.archive(execution)}" camunda:resultVariable="archived"/>
  <bpmn:sequenceFlow id="f6" sourceRef="call" targetRef="constant"/>
  <bpmn:serviceTask id="constant" camunda:expression="\${true}" camunda:resultVariable="done"/>
  <bpmn:sequenceFlow id="f7" sourceRef="constant" targetRef="sub"/>
  <bpmn:callActivity id="sub" calledElement="reviewInvoice" camunda:calledElementBinding="version" camunda:calledElementVersion="3">
    <bpmn:extensionElements>
      <camunda:in variables="all"/>
      <camunda:in businessKey="\${execution.processBusinessKey}"/>
      <camunda:in source="amount" target="total"/>
      <camunda:out sourceExpression="\${approved}" target="reviewed" local="true"/>
    </bpmn:extensionElements>
  </bpmn:callActivity>
  <bpmn:sequenceFlow id="f8" sourceRef="sub" targetRef="feel"/>
  <bpmn:scriptTask id="feel" scriptFormat="feel" camunda:resultVariable="sum"><bpmn:script>a + b</bpmn:script></bpmn:scriptTask>
  <bpmn:sequenceFlow id="f9" sourceRef="feel" targetRef="end"/>
  <bpmn:endEvent id="end"><bpmn:extensionElements><camunda:executionListener expression="\${audit.log()}" event="end"/></bpmn:extensionElements></bpmn:endEvent>
</bpmn:process>
</bpmn:definitions>`;

describe('Camunda 7 (camunda:) extensions are read into the model', () => {
  it('user tasks, external tasks, io mappings, call activities, multi-instance, starters', async () => {
    const { process: p } = ok(await parseBpmn(camundaModel));
    expect(p).toMatchObject({ dialect: 'camunda', versionTag: 'v2', starters: { users: ['alice'], groups: ['accounting', 'sales'] } });
    expect(p.elements['start']).toMatchObject({ initiatorVariable: 'starter', form: { formKey: 'embedded:app:start.html' } });
    expect(p.elements['approve']).toMatchObject({
      userTask: {
        assignee: '${starter}',
        candidateGroups: { literals: ['accounting'], expressions: [] },
        candidateUsers: { literals: [], expressions: ['${reviewers}'] },
        dueDate: 'P3D',
        followUpDate: '${followUp}',
        priority: '60',
        headers: { escalateAfter: 'P1D', escalateTo: 'managers' },
        form: {
          fields: [
            { id: 'amount', label: 'Amount', type: 'long', defaultValue: '0', required: true, constraints: [{ name: 'required' }, { name: 'min', config: '1' }], values: [] },
            { id: 'kind', type: 'enum', required: false, constraints: [], values: [{ id: 'a', name: 'A' }] },
          ],
        },
      },
      multiInstance: { sequential: false, inputCollection: '${approvers}', inputElement: 'approver', completionCondition: '${nrOfCompletedInstances == 1}' },
    });
    expect(p.elements['archive']).toMatchObject({
      job: { type: 'invoice-archive', retries: 5, headers: { bucket: 'invoices' }, source: 'camunda:external' },
      ioMapping: {
        inputs: [
          { target: 'text', source: 'plain text' },
          { target: 'expr', source: '${amount * 2}' },
          { target: 'list', source: ['a', '${b}'] },
          { target: 'map', source: { k: 'v' } },
          { target: 'empty', source: null },
        ],
        outputs: [{ target: 'archivedAt', source: '${archiveDate}' }],
      },
    });
    expect(p.elements['sub']).toMatchObject({
      calledElement: {
        processId: 'reviewInvoice',
        binding: 'version',
        version: '3',
        propagateAllParentVariables: true,
        propagateAllChildVariables: false,
        inMappings: [
          { kind: 'all', local: false },
          { kind: 'inheritBusinessKey' },
          { kind: 'variable', source: 'amount', target: 'total', local: false },
        ],
        outMappings: [{ kind: 'expression', expression: '${approved}', target: 'reviewed', local: true }],
      },
    });
    expect(p.elements['feel']).toMatchObject({ script: { expression: '=a + b', resultVariable: 'sum' } });
  });

  it('Java delegates become jobs named by class, bean or expression, each with a warning', async () => {
    const { process: p, warnings } = ok(await parseBpmn(camundaModel));
    expect(p.elements['java']).toMatchObject({ job: { type: 'org.example.ArchiveDelegate', source: 'camunda:class', retries: 3 } });
    expect(p.elements['bean']).toMatchObject({ job: { type: 'archiveBean', source: 'camunda:delegateExpression' } });
    expect(p.elements['call']).toMatchObject({ job: { type: '${archiveService.archive(execution)}', source: 'camunda:expression', resultVariable: 'archived' } });
    expect(p.elements['constant']).toMatchObject({ script: { expression: '${true}', resultVariable: 'done' } });
    expect(p.elements['constant']).not.toHaveProperty('job');
    const about = (id: string) => warnings.filter((w) => w.elementId === id).map((w) => w.message);
    expect(about('java')).toEqual([`Java class 'org.example.ArchiveDelegate' is not run here: it becomes job type 'org.example.ArchiveDelegate' for a worker`]);
    expect(about('bean')).toEqual([`delegate expression '\${archiveBean}' is not run here: it becomes job type 'archiveBean' for a worker`]);
    expect(about('call')[0]).toMatch(/calls code, which is not run here: it becomes job type/);
  });

  it('Java-engine-only settings are accepted and each named in the warnings', async () => {
    const { warnings } = ok(await parseBpmn(camundaModel));
    expect(warnings).toEqual(
      expect.arrayContaining([
        { elementId: 'invoice', message: 'camunda:historyTimeToLive is ignored: history is kept until removed' },
        { elementId: 'approve', message: 'camunda:asyncBefore is ignored: every command already commits its own transaction' },
        { elementId: 'approve', message: `camunda:taskListener (event 'create', org.example.Notify) is ignored: listeners are code and never run here` },
        { elementId: 'end', message: `camunda:executionListener (event 'end', \${audit.log()}) is ignored: listeners are code and never run here` },
        { elementId: 'archive', message: `camunda:failedJobRetryTimeCycle 'R5/PT10M': 5 tries are kept, the interval is ignored (retries use exponential backoff)` },
      ]),
    );
  });

  it('refuses scripts in code languages, DMN decisions and Java-calling expressions, by element', async () => {
    const xml = `<bpmn:definitions ${CAMUNDA} id="d"><bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="s"/>
<bpmn:scriptTask id="groovy" scriptFormat="groovy"><bpmn:script>println 'hi'</bpmn:script></bpmn:scriptTask>
<bpmn:businessRuleTask id="dmn" camunda:decisionRef="approver"/>
<bpmn:userTask id="ut" camunda:assignee="\${users.pick(execution)}"/>
</bpmn:process></bpmn:definitions>`;
    const r = await parseBpmn(xml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.elementId, p.line])).toEqual([
      ['groovy', 3],
      ['dmn', 4],
      ['ut', 5],
    ]);
    expect(r.problems[0]?.message).toMatch(/bpmn:ScriptTask 'groovy' is written in groovy: scripts are code and are never run here/);
  });

  it("reads Camunda 7's Joda-Time due dates (dateTime().plusX(n).toDate()) as ISO durations, with a warning", async () => {
    const xml = `<bpmn:definitions ${CAMUNDA} id="d"><bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="s"/>
<bpmn:userTask id="review" camunda:dueDate="\${dateTime().plusDays(2).toDate()}" camunda:followUpDate="\${dateTime().plusWeeks(1).plusHours(3).toDate()}"/>
<bpmn:userTask id="other" camunda:dueDate="\${dateTime().minusDays(2).toDate()}"/>
</bpmn:process></bpmn:definitions>`;
    const tooLong = await parseBpmn(xml.replace('plusDays(2)', 'plusYears(5000)').replace(/<bpmn:userTask id="other"[^>]*\/>/, ''));
    expect(tooLong.ok ? [] : tooLong.problems.map((p) => p.message)).toEqual([expect.stringContaining('read as P5000Y, which is longer than a due date can be')]);
    // minusDays is not the idiom: still refused as Java.
    const refused = await parseBpmn(xml);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.problems.map((p) => p.elementId)).toEqual(['other']);

    const { process, warnings } = ok(await parseBpmn(xml.replace(/<bpmn:userTask id="other"[^>]*\/>/, '')));
    const review = process.elements.review as { userTask: { dueDate?: string; followUpDate?: string } };
    expect(review.userTask).toMatchObject({ dueDate: 'P2D', followUpDate: 'P1WT3H' });
    expect(warnings.filter((w) => w.elementId === 'review').map((w) => w.message)).toEqual([
      "due date '${dateTime().plusDays(2).toDate()}' calls Java (Joda-Time), which is not run here: it is read as the duration P2D from the task's creation",
      "follow-up date '${dateTime().plusWeeks(1).plusHours(3).toDate()}' calls Java (Joda-Time), which is not run here: it is read as the duration P1WT3H from the task's creation",
    ]);
  });

  it('reads Activiti attributes as camunda:, as Camunda 7 does', async () => {
    const xml = `<bpmn:definitions ${BPMN} xmlns:activiti="http://activiti.org/bpmn" id="d"><bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
<bpmn:userTask id="t" activiti:candidateGroups="management"/>
</bpmn:process></bpmn:definitions>`;
    const { process: p, warnings } = ok(await parseBpmn(xml));
    expect(p.dialect).toBe('camunda');
    expect(p.elements['t']).toMatchObject({ userTask: { candidateGroups: { literals: ['management'] } } });
    expect(warnings[0]?.message).toMatch(/activiti.org\/bpmn namespace is read as Camunda 7/);
  });
});

describe('standard BPMN and mixed files', () => {
  it('potentialOwner and humanPerformer assign candidates and the assignee (Camunda 7 reading)', async () => {
    const xml = `<bpmn:definitions ${BPMN} id="d"><bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="s"/>
<bpmn:userTask id="t">
  <bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>user(kermit)</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>
  <bpmn:potentialOwner><bpmn:resourceAssignmentExpression><bpmn:formalExpression>user(gonzo), group(management), accounting, \${extraGroup}</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
</bpmn:userTask>
</bpmn:process></bpmn:definitions>`;
    const { process: p } = ok(await parseBpmn(xml));
    expect(p.elements['t']).toMatchObject({
      userTask: {
        assignee: 'kermit',
        candidateUsers: { literals: ['gonzo'], expressions: [] },
        candidateGroups: { literals: ['management', 'accounting'], expressions: ['${extraGroup}'] },
      },
    });
  });

  it('a file using both extension namespaces is read in the dialect it uses most, with a warning', async () => {
    const xml = `<bpmn:definitions ${ZEEBE} xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d"><bpmn:process id="p" isExecutable="true" camunda:historyTimeToLive="P1D">
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="work"/><zeebe:taskHeaders><zeebe:header key="a" value="b"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>
</bpmn:process></bpmn:definitions>`;
    const { process: p, warnings } = ok(await parseBpmn(xml));
    expect(p.dialect).toBe('zeebe');
    expect(p.elements['t']).toMatchObject({ job: { type: 'work' } });
    expect(warnings).toContainEqual({ elementId: 'd', message: expect.stringMatching(/uses both Camunda 7 .* read as Camunda 8 and its 1 camunda: elements and attributes are ignored/) });
  });
});
