import { http, modelForm, type HttpResult } from './support/http.js';
import { definitions, simpleProcess } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// What an attacker or a careless export can send: each is refused quickly with a reason,
// and the service keeps answering other requests meanwhile.
const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p" name="&lol4;" isExecutable="true"/></bpmn:definitions>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p" name="&xxe;" isExecutable="true"/></bpmn:definitions>`;

function warningFlood(): string {
  const unknown = Array.from({ length: 20_000 }, (_, i) => `<x:junk id="j${i}" a="b"/>`).join('');
  const xml = definitions(`<bpmn:process id="flood" isExecutable="true"><bpmn:startEvent id="s"/>${unknown}</bpmn:process>`, 'xmlns:x="http://example.com/unknown"');
  return xml;
}

const DUPLICATE_IDS = definitions(`
  <bpmn:process id="dups" isExecutable="true">
    <bpmn:startEvent id="same" />
    <bpmn:sequenceFlow id="f1" sourceRef="same" targetRef="same_end" />
    <bpmn:endEvent id="same_end" />
    <bpmn:task id="same" />
  </bpmn:process>`);

const DANGLING_FLOW = definitions(`
  <bpmn:process id="dangling" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to_nowhere" sourceRef="start" targetRef="missing_task" />
  </bpmn:process>`);

const UNSUPPORTED = definitions(`
  <bpmn:process id="unsupported" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Gateway_Complex" />
    <bpmn:complexGateway id="Gateway_Complex" />
    <bpmn:sequenceFlow id="f2" sourceRef="Gateway_Complex" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

describe('hostile and broken uploads', () => {
  let t: TestApp;
  let modeler: string;

  beforeAll(async () => {
    t = await startTestApp();
    modeler = await t.token('mia', ['modeler']);
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (xml: string, name = 'model.bpmn'): Promise<HttpResult> =>
    http('POST', `${t.url}/api/deployments`, { token: modeler, body: modelForm([{ name, xml }]) });

  // Every row has four cells: jest.each passes `done` in place of a missing last argument.
  const cases: [string, () => string, RegExp, string | null][] = [
    ['billion laughs', () => BILLION_LAUGHS, /DOCTYPE|entit/i, null],
    ['XXE', () => XXE, /DOCTYPE|entit/i, null],
    ['malformed XML', () => '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p">', /well-formed|unclosed|unexpected|end of/i, null],
    ['not BPMN', () => '<?xml version="1.0"?><html><body/></html>', /BPMN/, null],
    ['duplicate ids', () => DUPLICATE_IDS, /duplicate/i, 'same'],
    ['a dangling flow', () => DANGLING_FLOW, /missing_task/, 'to_nowhere'],
    ['an unsupported element', () => UNSUPPORTED, /complexGateway|ComplexGateway/, 'Gateway_Complex'],
    ['a 0.6 MB warning flood', warningFlood, /element|unknown|too many|took longer/i, null],
  ];

  it.each(cases)('refuses %s with a 400 naming the problem within 5 s', async (_label, make, pattern, elementId) => {
    const response = await upload(make());
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(response.body.details.length).toBeGreaterThan(0);
    const messages = response.body.details.map((d: { message: string }) => d.message).join(' | ');
    expect(messages).toMatch(pattern);
    if (elementId) expect(response.body.details.map((d: { elementId?: string }) => d.elementId)).toContain(elementId);
    expect(response.ms).toBeLessThan(5000);
  });

  it('reports line and column for problems it can place', async () => {
    const response = await upload(DANGLING_FLOW);
    const detail = response.body.details.find((d: { elementId?: string }) => d.elementId === 'to_nowhere');
    expect(detail).toMatchObject({ line: 6 });
    expect(detail.column).toEqual(expect.any(Number));
  });

  it('answers 413 for a 3 MB file (multipart and raw) without parsing it', async () => {
    const padding = `<!-- ${'x'.repeat(3 * 1024 * 1024)} -->`;
    const big = simpleProcess('big').replace('</bpmn:definitions>', `${padding}</bpmn:definitions>`);
    const multipart = await upload(big);
    expect(multipart.status).toBe(413);
    expect(multipart.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    const raw = await http('POST', `${t.url}/api/deployments`, { token: modeler, body: big, headers: { 'content-type': 'application/xml' } });
    expect(raw.status).toBe(413);
  });

  it('keeps /health answering in under a second while a flood is being refused', async () => {
    const flood = warningFlood();
    const uploads = Promise.all([upload(flood, 'a.bpmn'), upload(flood, 'b.bpmn')]);
    const healthTimes: number[] = [];
    let settled = false;
    void uploads.finally(() => (settled = true));
    while (!settled) {
      const health = await http('GET', `${t.url}/health`);
      expect(health.status).toBe(200);
      healthTimes.push(health.ms);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const results = await uploads;
    expect(results.map((r) => r.status)).toEqual([400, 400]);
    expect(healthTimes.length).toBeGreaterThan(0);
    expect(Math.max(...healthTimes)).toBeLessThan(1000);
  });
});
