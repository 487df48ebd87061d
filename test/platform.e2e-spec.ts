import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('platform: health, OpenAPI, error shape', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health reports both dependencies up, without auth', async () => {
    const response = await http('GET', `${t.url}/health`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', db: 'up', redis: 'up' });
  });

  it('serves the OpenAPI document and UI without auth, describing the deployment API', async () => {
    const json = await http('GET', `${t.url}/api/docs-json`);
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    for (const path of ['/health', '/api/deployments', '/api/deployments/{id}', '/api/process-definitions', '/api/process-definitions/{key}', '/api/process-definitions/{key}/versions/{version}', '/api/process-definitions/{key}/xml']) {
      expect(Object.keys(json.body.paths)).toContain(path);
    }
    expect(json.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await http('GET', `${t.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });

  it('documents each endpoint\'s error answers with the ErrorBody schema', async () => {
    const doc = (await http('GET', `${t.url}/api/docs-json`)).body;
    const schemas = doc.components.schemas;
    expect(schemas.ErrorBodyDto).toMatchObject({
      type: 'object',
      properties: {
        statusCode: { type: 'number' },
        error: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { $ref: '#/components/schemas/ErrorDetailDto' } },
      },
    });
    expect([...schemas.ErrorBodyDto.required].sort()).toEqual(['details', 'error', 'message', 'statusCode']);
    expect(Object.keys(schemas.ErrorDetailDto.properties).sort()).toEqual(['column', 'elementId', 'field', 'line', 'message']);
    expect(schemas.ErrorDetailDto.required).toEqual(['message']);
    // Every list is a page of its items (PageDto): items, total, page, size.
    for (const [list, item] of [['TaskListDto', 'TaskDto'], ['CommentListDto', 'CommentDto'], ['InstanceListDto', 'InstanceDto'], ['IncidentListDto', 'IncidentDto'],
      ['DeploymentListDto', 'DeploymentDto'], ['ProcessDefinitionListDto', 'ProcessDefinitionDto'], ['NotificationListDto', 'NotificationDto'], ['UserListDto', 'UserDto'], ['GroupListDto', 'GroupDto']]) {
      expect([list, schemas[list]?.properties]).toEqual([list, {
        items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
        total: { type: 'number' },
        page: { type: 'number' },
        size: { type: 'number' },
      }]);
    }

    const errorBody = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } } };
    const responses = (path: string, method: string): Record<string, { description: string; content?: unknown }> => doc.paths[path][method].responses;
    const statuses = (path: string, method: string) => Object.keys(responses(path, method)).filter((status) => Number(status) >= 400).sort();

    // Every error the document names is an ErrorBody in JSON (health's 503 is its own report), and
    // every route behind the bearer token names 401.
    for (const [path, operations] of Object.entries<Record<string, { responses: Record<string, { content?: unknown }>; security?: unknown }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400 && path !== '/health') expect({ path, method, status, content: response.content }).toEqual({ path, method, status, content: errorBody });
        }
        if (path.startsWith('/api/')) expect({ path, method, has401: '401' in operation.responses }).toEqual({ path, method, has401: true });
      }
    }

    expect(statuses('/api/tasks/{id}/complete', 'post')).toEqual(['400', '401', '403', '404', '409', '413', '422']);
    expect(statuses('/api/tasks/{id}/claim', 'post')).toEqual(['401', '403', '404', '409']);
    expect(statuses('/api/tasks', 'get')).toEqual(['400', '401', '403']);
    expect(statuses('/api/deployments', 'post')).toEqual(['400', '401', '403', '413']);
    expect(responses('/api/deployments', 'post')['403']!.description).toBe('requires one of the groups: modeler');
    expect(statuses('/api/deployments/{id}', 'get')).toEqual(['401', '404']);
    expect(statuses('/api/process-definitions/{key}/start', 'post')).toEqual(['400', '401', '403', '404', '413']);
    expect(statuses('/api/messages', 'post')).toEqual(['400', '401', '403', '404', '409', '413']);
    expect(statuses('/api/incidents/{id}/retry', 'post')).toEqual(['400', '401', '403', '404', '409', '413']);
    // The XML download is application/xml, its errors are still JSON.
    expect(Object.keys(responses('/api/process-definitions/{key}/xml', 'get')['200']!.content as object)).toEqual(['application/xml']);
    expect(statuses('/api/process-definitions/{key}/xml', 'get')).toEqual(['400', '401', '404']);
    expect(statuses('/metrics', 'get')).toEqual(['401']);
  });

  it('answers unknown routes and malformed JSON in the API error shape', async () => {
    const token = await t.token('u', ['admin']);
    const missing = await http('GET', `${t.url}/api/nothing-here`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), details: [] });
    const malformed = await http('POST', `${t.url}/api/deployments`, { token, body: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('serves Prometheus metrics without auth, counting requests by route pattern', async () => {
    await http('GET', `${t.url}/health`);
    const response = await http('GET', `${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    expect(response.text).toMatch(/flowdesk_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(response.text).toContain('flowdesk_open_incidents 0');
    expect(response.text).toContain('flowdesk_process_cpu_seconds_total');
  });

  it('requires METRICS_TOKEN for /metrics when it is configured', async () => {
    const guarded = await startTestApp({ METRICS_TOKEN: 'scrape-me' });
    try {
      expect((await http('GET', `${guarded.url}/metrics`)).status).toBe(401);
      expect((await http('GET', `${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('reports Redis down with 503 when it cannot be reached', async () => {
    const broken = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const response = await http('GET', `${broken.url}/health`);
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'error', db: 'up', redis: 'down' });
      expect(response.ms).toBeLessThan(1500);
    } finally {
      await broken.close();
    }
  });
});
