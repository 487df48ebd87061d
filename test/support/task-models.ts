import { definitions } from './models.js';

// Small models for the worklist tests (Camunda 8 unless named otherwise).

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const zeebe = (inner: string) => `<bpmn:extensionElements>${inner}</bpmn:extensionElements>`;

/** Four tasks at once: held by alice, offered to bob, offered to sales, and one naming nobody. */
export const VISIBILITY = definitions(`
  <bpmn:process id="visibility" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="forAlice" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="forBob" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="forSales" />
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="forNobody" />
    <bpmn:userTask id="forAlice" name="Alice's task">${zeebe('<zeebe:assignmentDefinition assignee="alice" />')}</bpmn:userTask>
    <bpmn:userTask id="forBob" name="Bob's task">${zeebe('<zeebe:assignmentDefinition candidateUsers="bob" />')}</bpmn:userTask>
    <bpmn:userTask id="forSales" name="Sales task">${zeebe('<zeebe:assignmentDefinition candidateGroups="sales" /><zeebe:formDefinition formKey="external:sales-form" />')}</bpmn:userTask>
    <bpmn:userTask id="forNobody" name="Nobody's task" />
    <bpmn:sequenceFlow id="j1" sourceRef="forAlice" targetRef="join" />
    <bpmn:sequenceFlow id="j2" sourceRef="forBob" targetRef="join" />
    <bpmn:sequenceFlow id="j3" sourceRef="forSales" targetRef="join" />
    <bpmn:sequenceFlow id="j4" sourceRef="forNobody" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const schedule = zeebe(
  '<zeebe:assignmentDefinition candidateGroups="=group" /><zeebe:taskSchedule dueDate="=due" followUpDate="=followUp" /><zeebe:priorityDefinition priority="=prio" />',
);

/** One task whose name depends on `kind` (a/b/else), offered to `group`, due `due`, priority `prio`. */
export const FILTERS = definitions(`
  <bpmn:process id="filters" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="route" />
    <bpmn:exclusiveGateway id="route" default="toC" />
    <bpmn:sequenceFlow id="toA" sourceRef="route" targetRef="alpha"><bpmn:conditionExpression>= kind = "a"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toB" sourceRef="route" targetRef="beta"><bpmn:conditionExpression>= kind = "b"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toC" sourceRef="route" targetRef="gamma" />
    <bpmn:userTask id="alpha" name="Alpha review">${schedule}</bpmn:userTask>
    <bpmn:userTask id="beta" name="Beta check 50%">${schedule}</bpmn:userTask>
    <bpmn:userTask id="gamma" name="Gamma call">${schedule}</bpmn:userTask>
    <bpmn:sequenceFlow id="e1" sourceRef="alpha" targetRef="end" />
    <bpmn:sequenceFlow id="e2" sourceRef="beta" targetRef="end" />
    <bpmn:sequenceFlow id="e3" sourceRef="gamma" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

export const FORM_JS_SCHEMA = {
  type: 'default',
  id: 'expense',
  components: [
    { type: 'text', text: '# Expense' },
    { type: 'textfield', key: 'title', label: 'Title', validate: { required: true, minLength: 3, maxLength: 40 } },
    { type: 'number', key: 'amount', label: 'Amount', validate: { required: true, min: 1, max: 1000 } },
    { type: 'checkbox', key: 'agree', label: 'I agree', validate: { required: true } },
    { type: 'select', key: 'currency', label: 'Currency', values: [{ label: 'Euro', value: 'EUR' }, { label: 'Dollar', value: 'USD' }] },
    { type: 'textfield', key: 'email', label: 'Email', validate: { validationType: 'email' } },
    { type: 'textfield', key: 'code', label: 'Code', validate: { pattern: '^[A-Z]{2}-\\d+$' } },
    { type: 'datetime', key: 'spentOn', subtype: 'date', dateLabel: 'Spent on' },
    { type: 'checklist', key: 'tags', values: [{ label: 'Travel', value: 'travel' }, { label: 'Food', value: 'food' }] },
    { type: 'group', path: 'address', components: [{ type: 'textfield', key: 'city', label: 'City', validate: { required: true } }] },
    { type: 'textfield', key: 'reason', label: 'Reason for a big amount', validate: { required: true }, conditional: { hide: '=amount <= 500' } },
  ],
};

/** form-js embedded through zeebe:userTaskForm. */
export const FORM_JS = definitions(`
  <bpmn:process id="formjs" isExecutable="true">
    <bpmn:extensionElements><zeebe:userTaskForm id="expenseForm">${xmlText(JSON.stringify(FORM_JS_SCHEMA))}</zeebe:userTaskForm></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="Fill in the expense">${zeebe('<zeebe:formDefinition formKey="camunda-forms:bpmn:expenseForm" /><zeebe:assignmentDefinition candidateGroups="staff" />')}</bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="fill" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

/** Camunda 7 camunda:formData fields. */
export const FORM_DATA = definitions(
  `
  <bpmn:process id="formdata" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="Order details" camunda:candidateGroups="staff">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="quantity" label="Quantity" type="long">
            <camunda:validation><camunda:constraint name="required" /><camunda:constraint name="min" config="1" /><camunda:constraint name="max" config="100" /></camunda:validation>
          </camunda:formField>
          <camunda:formField id="size" label="Size" type="enum">
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
            <camunda:value id="S" name="Small" /><camunda:value id="L" name="Large" />
          </camunda:formField>
          <camunda:formField id="code" label="Code" type="string">
            <camunda:validation><camunda:constraint name="minlength" config="3" /></camunda:validation>
          </camunda:formField>
          <camunda:formField id="deliverOn" label="Deliver on" type="date" />
          <camunda:formField id="gift" label="Gift?" type="boolean" />
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="fill" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`,
  'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
);

/** One review task per reviewer, each assigned to its reviewer. */
export const MULTI_REVIEW = definitions(`
  <bpmn:process id="multireview" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review the draft">
      ${zeebe('<zeebe:assignmentDefinition assignee="=reviewer" />')}
      <bpmn:multiInstanceLoopCharacteristics>${zeebe('<zeebe:loopCharacteristics inputCollection="=reviewers" inputElement="reviewer" outputCollection="verdicts" outputElement="=verdict" />')}</bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="after" />
    <bpmn:userTask id="after" name="Publish">${zeebe('<zeebe:assignmentDefinition candidateGroups="editors" />')}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

/** One task offered to the group `racers` (race tests). */
export const RACE = definitions(`
  <bpmn:process id="race" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" name="Race me">${zeebe('<zeebe:assignmentDefinition candidateGroups="racers" />')}</bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="after" />
    <bpmn:userTask id="after" name="After the race">${zeebe('<zeebe:assignmentDefinition candidateGroups="racers" />')}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

/** Assignment written three ways: Camunda 7 expressions and lists, standard BPMN resource roles. */
export const ASSIGNMENT_C7 = definitions(
  `
  <bpmn:process id="assign_c7" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="c7" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="std" />
    <bpmn:userTask id="c7" name="Camunda 7 task" camunda:candidateUsers="\${reviewer}, bob" camunda:candidateGroups="sales,support" camunda:dueDate="P2D" camunda:followUpDate="\${followUp}" camunda:priority="\${prio}" camunda:formKey="embedded:app:forms/review.html" />
    <bpmn:userTask id="std" name="Standard BPMN task">
      <bpmn:potentialOwner><bpmn:resourceAssignmentExpression><bpmn:formalExpression>group(legal), user(lena)</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="j1" sourceRef="c7" targetRef="join" />
    <bpmn:sequenceFlow id="j2" sourceRef="std" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="performed" />
    <bpmn:userTask id="performed" name="Performed by">
      <bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>\${owner}</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f10" sourceRef="performed" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`,
  'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
);
