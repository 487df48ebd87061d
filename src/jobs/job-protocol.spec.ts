import { backoffDelayMs, commandFor, queueNameProblem, RESULTS_QUEUE } from './job-protocol.js';

describe('worker protocol', () => {
  const key = 'job-1';

  it('completes with the returned object, or with nothing for null/undefined', () => {
    expect(commandFor(key, { kind: 'returned', value: { a: 1, nested: { b: [2] } } })).toEqual({ type: 'completeJob', jobKey: key, variables: { a: 1, nested: { b: [2] } } });
    expect(commandFor(key, { kind: 'returned', value: null })).toEqual({ type: 'completeJob', jobKey: key, variables: null });
    expect(commandFor(key, { kind: 'returned', value: undefined })).toEqual({ type: 'completeJob', jobKey: key, variables: null });
    expect(commandFor(key, { kind: 'returned', value: {} })).toEqual({ type: 'completeJob', jobKey: key, variables: {} });
  });

  it('throws a BPMN error for a returned $bpmnError, keeping message and variables', () => {
    expect(commandFor(key, { kind: 'returned', value: { $bpmnError: { code: 'address-missing', message: 'no zip', variables: { why: 'zip' } } } })).toEqual({
      type: 'throwError',
      jobKey: key,
      code: 'address-missing',
      message: 'no zip',
      variables: { why: 'zip' },
    });
    expect(commandFor(key, { kind: 'returned', value: { $bpmnError: { code: 'x' } } })).toEqual({ type: 'throwError', jobKey: key, code: 'x' });
  });

  it('fails the job for a final failure and for anything that breaks the protocol', () => {
    expect(commandFor(key, { kind: 'failed', reason: 'ECONNREFUSED' })).toEqual({ type: 'failJob', jobKey: key, message: 'ECONNREFUSED' });
    expect(commandFor(key, { kind: 'failed', reason: '' })).toMatchObject({ type: 'failJob', message: 'the job failed without a reason' });
    expect((commandFor(key, { kind: 'failed', reason: 'x'.repeat(5000) }) as { message: string }).message).toHaveLength(2000);
    expect(commandFor(key, { kind: 'returned', value: 'done' })).toMatchObject({ type: 'failJob', message: expect.stringContaining('returned a string') });
    expect(commandFor(key, { kind: 'returned', value: [1, 2] })).toMatchObject({ type: 'failJob', message: expect.stringContaining('returned a list') });
    expect(commandFor(key, { kind: 'returned', value: { $bpmnError: { message: 'no code' } } })).toMatchObject({ type: 'failJob', message: expect.stringContaining('without a "code"') });
    expect(commandFor(key, { kind: 'returned', value: { $bpmnError: 'oops' } })).toMatchObject({ type: 'failJob' });
    expect(commandFor(key, { kind: 'returned', value: { $bpmnError: { code: 'c', variables: [1] } } })).toMatchObject({ type: 'failJob', message: expect.stringContaining('variables that are a list') });
  });

  it('reads the backoff base from the retryBackoff header, 1 s by default, within bounds', () => {
    expect(backoffDelayMs({})).toBe(1000);
    expect(backoffDelayMs({ retryBackoff: 'PT5S' })).toBe(5000);
    expect(backoffDelayMs({ retryBackoff: 'PT0.05S' })).toBe(50);
    expect(backoffDelayMs({ retryBackoff: 'PT0.001S' })).toBe(10);
    expect(backoffDelayMs({ retryBackoff: 'P1D' })).toBe(3_600_000);
    expect(backoffDelayMs({ retryBackoff: 'soon' })).toBe(1000);
  });

  it('refuses job types that cannot name a queue', () => {
    expect(queueNameProblem('validate-address')).toBeNull();
    expect(queueNameProblem('com.acme.Delegate')).toBeNull();
    expect(queueNameProblem('a:b')).toContain("':'");
    expect(queueNameProblem(' ')).toContain('empty');
    expect(queueNameProblem(RESULTS_QUEUE)).toContain('reserved');
  });
});
