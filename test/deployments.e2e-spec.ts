import { readFile } from 'node:fs/promises';
import { http, modelForm } from './support/http.js';
import { definitions, simpleProcess } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('deployments (HTTP, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let modeler: string;
  let staff: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    modeler = await t.token('mia', ['modeler']);
    staff = await t.token('sam', ['accounting']);
    admin = await t.token('ada', ['admin']);
  });
  afterAll(async () => {
    await t.close();
  });

  const deploy = (files: { name: string; xml: string }[], token = modeler, fields: Record<string, string> = {}) =>
    http('POST', `${t.url}/api/deployments`, { token, body: modelForm(files, fields) });

  it('refuses uploads without a token (401) and from users without modeler or admin (403)', async () => {
    const xml = simpleProcess('auth_check');
    const anonymous = await deploy([{ name: 'a.bpmn', xml }], '');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const forbidden = await deploy([{ name: 'a.bpmn', xml }], staff);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/modeler/);
    expect((await deploy([{ name: 'a.bpmn', xml }], admin)).status).toBe(201);
  });

  it('versions the real order-fulfilment model: 1, identical again (isNew false), changed → 2', async () => {
    const xml = await readFile('processes/order-fulfilment.bpmn', 'utf8');
    const first = await deploy([{ name: 'order-fulfilment.bpmn', xml }]);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'order-fulfilment.bpmn', definitions: [{ key: 'order-fulfilment', version: 1, isNew: true }] });
    expect(first.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(first.body.createdAt).toISOString()).toBe(first.body.createdAt);

    const again = await deploy([{ name: 'order-fulfilment.bpmn', xml: xml.replace(/\n/g, '\r\n  ') }]);
    expect(again.status).toBe(201);
    expect(again.body.definitions).toEqual([expect.objectContaining({ key: 'order-fulfilment', version: 1, isNew: false, id: first.body.definitions[0].id })]);

    const changed = await deploy([{ name: 'order-fulfilment.bpmn', xml: xml.replace('name="Validate address"', 'name="Check the address"') }]);
    expect(changed.status).toBe(201);
    expect(changed.body.definitions).toEqual([expect.objectContaining({ key: 'order-fulfilment', version: 2, isNew: true })]);

    const latest = await http('GET', `${t.url}/api/process-definitions/order-fulfilment`, { token: staff });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ key: 'order-fulfilment', version: 2 });
    const v1 = await http('GET', `${t.url}/api/process-definitions/order-fulfilment/versions/1`, { token: staff });
    expect(v1.body).toMatchObject({ key: 'order-fulfilment', version: 1, id: first.body.definitions[0].id });
    const xmlV1 = await http('GET', `${t.url}/api/process-definitions/order-fulfilment/xml?version=1`, { token: staff });
    expect(xmlV1.status).toBe(200);
    expect(xmlV1.headers.get('content-type')).toMatch(/application\/xml/);
    expect(xmlV1.text).toBe(xml);
    const xmlLatest = await http('GET', `${t.url}/api/process-definitions/order-fulfilment/xml`, { token: staff });
    expect(xmlLatest.text).toContain('Check the address');
  });

  it('accepts a raw application/xml body and a deployment name', async () => {
    const response = await http('POST', `${t.url}/api/deployments?name=raw-upload`, {
      token: modeler,
      body: simpleProcess('raw_upload'),
      headers: { 'content-type': 'application/xml' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'raw-upload', definitions: [{ key: 'raw_upload', version: 1, isNew: true }], warnings: [] });
    const stored = await http('GET', `${t.url}/api/deployments/${response.body.id}`, { token: modeler });
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(response.body);
  });

  it('deploys several files in one request and every executable process of a collaboration', async () => {
    const collaboration = definitions(`
  <bpmn:collaboration id="collab">
    <bpmn:participant id="p1" processRef="collab_a" />
    <bpmn:participant id="p2" processRef="collab_b" />
  </bpmn:collaboration>
  <bpmn:process id="collab_a" isExecutable="true"><bpmn:startEvent id="a_start" /></bpmn:process>
  <bpmn:process id="collab_b" isExecutable="true"><bpmn:startEvent id="b_start" /></bpmn:process>`);
    const response = await deploy([{ name: 'collab.bpmn', xml: collaboration }, { name: 'single.xml', xml: simpleProcess('collab_single') }], modeler, { name: 'two files' });
    expect(response.status).toBe(201);
    expect(response.body.name).toBe('two files');
    expect(response.body.definitions.map((d: { key: string }) => d.key).sort()).toEqual(['collab_a', 'collab_b', 'collab_single']);
  });

  it('refuses the same process id in two files of one deployment, and non-model files', async () => {
    const twice = await deploy([{ name: 'a.bpmn', xml: simpleProcess('dup_key') }, { name: 'b.bpmn', xml: simpleProcess('dup_key', 'other') }]);
    expect(twice.status).toBe(400);
    expect(twice.body.details[0].message).toMatch(/dup_key/);
    const text = await deploy([{ name: 'notes.txt', xml: simpleProcess('txt') }]);
    expect(text.status).toBe(400);
    expect(text.body.details[0].message).toMatch(/notes\.txt/);
    const empty = await http('POST', `${t.url}/api/deployments`, { token: modeler, json: {} });
    expect(empty.status).toBe(400);
  });

  it('lists definitions with key, latest and paging filters, validating the query', async () => {
    await deploy([{ name: 'l.bpmn', xml: simpleProcess('listed') }]);
    await deploy([{ name: 'l.bpmn', xml: simpleProcess('listed', 'changed') }]);
    const all = await http('GET', `${t.url}/api/process-definitions?key=listed`, { token: staff });
    expect(all.body).toMatchObject({ total: 2, page: 1, size: 50 });
    expect(all.body.items.map((d: { version: number }) => d.version)).toEqual([2, 1]);
    const latest = await http('GET', `${t.url}/api/process-definitions?key=listed&latest=true`, { token: staff });
    expect(latest.body.items).toEqual([expect.objectContaining({ key: 'listed', version: 2 })]);
    const paged = await http('GET', `${t.url}/api/process-definitions?page=1&size=1`, { token: staff });
    expect(paged.body.items).toHaveLength(1);
    expect(paged.body.total).toBeGreaterThan(1);
    for (const bad of ['size=201', 'size=0', 'page=x', 'latest=maybe', 'unknown=1']) {
      const response = await http('GET', `${t.url}/api/process-definitions?${bad}`, { token: staff });
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('answers 404 for unknown keys, versions and deployments, malformed ids included', async () => {
    expect((await http('GET', `${t.url}/api/process-definitions/nope`, { token: staff })).status).toBe(404);
    expect((await http('GET', `${t.url}/api/process-definitions/listed/versions/99`, { token: staff })).status).toBe(404);
    expect((await http('GET', `${t.url}/api/process-definitions/listed/versions/99999999999`, { token: staff })).status).toBe(404);
    expect((await http('GET', `${t.url}/api/process-definitions/listed/versions/x`, { token: staff })).status).toBe(400);
    expect((await http('GET', `${t.url}/api/process-definitions/nope/xml`, { token: staff })).status).toBe(404);
    expect((await http('GET', `${t.url}/api/deployments/00000000-0000-4000-8000-000000000000`, { token: staff })).status).toBe(404);
    expect((await http('GET', `${t.url}/api/deployments/not-a-uuid`, { token: staff })).status).toBe(404);
  });

  it('gives concurrent uploads of one changed key consecutive versions', async () => {
    const uploads = await Promise.all(Array.from({ length: 8 }, (_, i) => deploy([{ name: 'c.bpmn', xml: simpleProcess('concurrent', `variant ${i}`) }])));
    expect(uploads.map((u) => u.status)).toEqual(Array(8).fill(201));
    const versions = uploads.map((u) => u.body.definitions[0].version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
