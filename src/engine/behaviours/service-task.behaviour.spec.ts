import { isEngineError } from '../errors.js';
import { camunda, chain, flow, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const errorDef = `<bpmn:error id="Err_Payment" name="Payment" errorCode="PAYMENT_FAILED"/>`;

const xml = zeebe(
  `
  <bpmn:startEvent id="start"/>
  ${serviceTask('charge', 'payments', '<zeebe:taskHeaders><zeebe:header key="currency" value="EUR"/></zeebe:taskHeaders>', 'name="Charge card"')}
  <bpmn:boundaryEvent id="onPaymentError" attachedToRef="charge"><bpmn:errorEventDefinition errorRef="Err_Payment"/></bpmn:boundaryEvent>
  <bpmn:userTask id="fixPayment"/>
  <bpmn:endEvent id="end"/><bpmn:endEvent id="failedEnd"/>
  ${chain(['start', 'charge', 'end'])}
  ${flow('fe', 'onPaymentError', 'fixPayment')}${flow('fe2', 'fixPayment', 'failedEnd')}
`,
  'p',
  errorDef,
);

describe('service task', () => {
  it('dispatches a job with type, headers, retries and every visible variable; completion merges the result', async () => {
    const h = await Harness.of(xml);
    h.start({ amount: 12, customer: { id: 'c1' } });
    const [job] = h.effectsOf('dispatchJob');
    expect(job).toMatchObject({ elementId: 'charge', jobType: 'payments', retries: 3, headers: { currency: 'EUR' }, variables: { amount: 12, customer: { id: 'c1' } } });
    expect(h.eventsOf('job.dispatched')).toHaveLength(1);

    h.run({ type: 'completeJob', jobKey: job.jobKey, variables: { receipt: 'r-1' } });
    expect(h.status).toBe('completed');
    expect(h.variables).toEqual({ amount: 12, customer: { id: 'c1' }, receipt: 'r-1' });
  });

  it('a job completed twice is stale (EngineError code stale): the second changes nothing', async () => {
    const h = await Harness.of(xml.replace(chain(['start', 'charge', 'end']), chain(['start', 'charge', 'fixPayment'])));
    h.start();
    const jobKey = h.job('charge');
    h.run({ type: 'completeJob', jobKey, variables: { n: 1 } });
    const before = JSON.stringify(h.state);
    let caught: unknown;
    try {
      h.run({ type: 'completeJob', jobKey, variables: { n: 2 } });
    } catch (error) {
      caught = error;
    }
    expect(isEngineError(caught, 'stale')).toBe(true);
    expect(JSON.stringify(h.state)).toBe(before);
  });

  it('a $bpmnError is caught by the error boundary: the host ends, the boundary path runs', async () => {
    const h = await Harness.of(xml);
    h.start();
    h.throwError('charge', 'PAYMENT_FAILED', { reason: 'card expired' });
    expect(h.active()).toEqual(['fixPayment']);
    expect(h.path('element.terminated')).toEqual(['charge']);
    expect(h.variables).toEqual({ reason: 'card expired' });
    // The job was finished by the worker's answer: no cancelJob for it.
    expect(h.effectsOf('cancelJob')).toEqual([]);
    expect(h.eventsOf('error.thrown')[0].data).toMatchObject({ code: 'PAYMENT_FAILED', caughtBy: 'onPaymentError' });
  });

  it('an error nobody catches is an uncaught-error incident; retry dispatches a new job', async () => {
    const h = await Harness.of(xml);
    h.start();
    const first = h.job('charge');
    h.throwError('charge', 'OTHER_CODE');
    expect(h.incidents()).toMatchObject([{ elementId: 'charge', type: 'uncaught-error', jobKey: first }]);
    expect(h.active()).toEqual(['charge']);
    h.retryIncident('charge');
    const second = h.job('charge');
    expect(second).not.toBe(first);
    h.completeJob('charge');
    expect(h.status).toBe('completed');
  });

  it('failJob (retries exhausted) raises a job-failed incident; retry re-dispatches with the given retries', async () => {
    const h = await Harness.of(xml);
    h.start();
    const jobKey = h.job('charge');
    h.failJob('charge', 'connection refused');
    expect(h.incidents()).toMatchObject([{ type: 'job-failed', message: 'connection refused', jobKey, elementId: 'charge' }]);
    expect(h.eventsOf('job.failed')).toHaveLength(1);
    expect(() => h.run({ type: 'completeJob', jobKey })).toThrow(expect.objectContaining({ code: 'stale' }));
    h.retryIncident('charge', 5);
    expect(h.effectsOf('dispatchJob', h.last.effects)[0]).toMatchObject({ retries: 5, jobType: 'payments' });
    expect(h.effectsOf('resolveIncident', h.last.effects)).toHaveLength(1);
  });

  it('evaluates a job type expression', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/>${serviceTask('t', '= &quot;queue-&quot; + region')}<bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`));
    h.start({ region: 'eu' });
    expect(h.effectsOf('dispatchJob')[0].jobType).toBe('queue-eu');
  });

  it('Camunda 7: an external task is a job on its topic; a Java delegate becomes a job named by the class', async () => {
    const h = await Harness.of(
      camunda(`
      <bpmn:startEvent id="s"/>
      <bpmn:serviceTask id="ext" camunda:type="external" camunda:topic="invoices"/>
      <bpmn:serviceTask id="java" camunda:class="com.acme.Charge"/>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'ext', 'java', 'e'])}
    `),
    );
    h.start();
    expect(h.effectsOf('dispatchJob')[0].jobType).toBe('invoices');
    h.completeJob('ext');
    expect(h.effectsOf('dispatchJob')[1].jobType).toBe('com.acme.Charge');
  });

  it('Camunda 7 camunda:expression: a plain value is evaluated in place, code becomes a job named by its text', async () => {
    const h = await Harness.of(
      camunda(`
      <bpmn:startEvent id="s"/>
      <bpmn:serviceTask id="mark" camunda:expression="\${'checked'}" camunda:resultVariable="status"/>
      <bpmn:serviceTask id="calc" camunda:expression="\${invoiceService.total(amount)}"/>
      <bpmn:endEvent id="e"/>
      ${chain(['s', 'mark', 'calc', 'e'])}
    `),
    );
    h.start({ amount: 21 });
    expect(h.variables.status).toBe('checked');
    expect(h.effectsOf('dispatchJob')[0].jobType).toBe('${invoiceService.total(amount)}');
  });
});
