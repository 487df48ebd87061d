import { BpmnParserPool } from './parser-pool.js';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"';

const MINIMAL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;

function bigModel(tasks: number): string {
  const body = Array.from({ length: tasks }, (_, i) => `<bpmn:task id="t${i}" name="${'x'.repeat(200)}"/>`).join('');
  return `<bpmn:definitions ${NS} id="d"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>${body}</bpmn:process></bpmn:definitions>`;
}

describe('BpmnParserPool', () => {
  let pool: BpmnParserPool;
  beforeAll(() => {
    pool = new BpmnParserPool({ size: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('parses in a worker thread and returns plain, frozen models', async () => {
    const r = await pool.parse(MINIMAL);
    expect(r).toMatchObject({ ok: true, processes: [{ id: 'p', elements: { s: { kind: 'startEvent' } } }] });
    if (r.ok) expect(Object.isFrozen(r.processes[0]!.elements)).toBe(true);
  });

  it('accepts raw bytes', async () => {
    const r = await pool.parse(Buffer.from(MINIMAL, 'utf8'));
    expect(r.ok).toBe(true);
  });

  it('parses several files concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => pool.parse(MINIMAL)));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('refuses a 0.6 MB warning flood well within the deadline', async () => {
    const flood = `<bpmn:definitions ${NS} xmlns:x="urn:x" id="d"><bpmn:process id="p">${'<x:unknown a="1"/>'.repeat(34_000)}</bpmn:process></bpmn:definitions>`;
    expect(flood.length).toBeGreaterThan(600_000);
    const started = Date.now();
    const r = await pool.parse(flood);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toMatch(/more than 20000 XML elements|not BPMN 2.0 outside extensionElements/);
  });
});

describe('BpmnParserPool failure handling', () => {
  it('a parse over the deadline is refused, the worker replaced, and the next parse works', async () => {
    const pool = new BpmnParserPool({ deadlineMs: 20 });
    try {
      const r = await pool.parse(bigModel(6_000));
      expect(r).toEqual({ ok: false, problems: [{ message: 'the model took longer than 0.02 s to parse and was refused' }] });
      const again = await pool.parse('<not-bpmn/>');
      expect(again.ok).toBe(false);
      if (!again.ok) expect(again.problems[0]?.message).toMatch(/not a BPMN 2.0 model/);
    } finally {
      await pool.close();
    }
  });

  it('a worker running out of memory gives a problem result, not a rejection', async () => {
    const pool = new BpmnParserPool({ maxHeapMb: 16, limits: { maxBytes: 64 * 1024 * 1024, maxElements: 100_000 } });
    try {
      const r = await pool.parse(bigModel(30_000));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems[0]?.message).toMatch(/^the model could not be parsed: the parser (failed|stopped)/);
    } finally {
      await pool.close();
    }
  });

  it('answers after close with a problem', async () => {
    const pool = new BpmnParserPool();
    await pool.close();
    await expect(pool.parse(MINIMAL)).resolves.toEqual({ ok: false, problems: [{ message: 'the BPMN parser is shut down' }] });
  });
});
