import { DirectorySeeder } from '../src/identity/directory-seeder.js';
import { parseDirectorySeed } from '../src/identity/directory-seed.js';
import { http, modelForm } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The user/group directory: the admin API, memberships feeding each caller's groups (and so their
// inbox), and the seed file applied at start-up.

const LEGAL_REVIEW = definitions(`
  <bpmn:process id="legal_review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Legal review"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="legal" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

describe('directory', () => {
  let t: TestApp;
  let admin: string;
  let staff: string;

  beforeAll(async () => {
    t = await startTestApp({ DIRECTORY_SEED_FILE: 'test/fixtures/directory/seed.json' });
    admin = await t.token('ada', ['admin']);
    staff = await t.token('sam', ['sales']);
  });
  afterAll(async () => {
    await t.close();
  });

  const api = (method: string, path: string, json?: unknown, token = admin) => http(method, `${t.url}/api${path}`, { token, json });

  it('applies the seed file at start-up, creating the groups users name', async () => {
    const users = await api('GET', '/users');
    expect(users.body).toMatchObject({ total: 3, page: 1, size: 50 });
    expect(users.body.items.map((u: { id: string; groups: string[] }) => [u.id, u.groups])).toEqual([
      ['alice', ['accounting']],
      ['lars', ['legal', 'reviewers']],
      ['nora', []],
    ]);
    expect(users.body.items[0]).toMatchObject({ name: 'Alice Smith', email: 'alice@example.com' });
    const groups = await api('GET', '/groups');
    expect(groups.body.items.map((g: { id: string; name: string | null; memberCount: number }) => [g.id, g.name, g.memberCount])).toEqual([
      ['accounting', 'Accounting', 1],
      ['legal', 'Legal department', 1],
      ['reviewers', null, 1],
    ]);
    // Applying it again (a restart) changes nothing and keeps what the API added meanwhile.
    expect((await api('POST', '/users', { id: 'extra' })).status).toBe(201);
    const seed = parseDirectorySeed(JSON.stringify({ users: [{ id: 'alice', groups: ['accounting'] }] }), 'inline');
    await t.app.get(DirectorySeeder).apply(seed);
    expect((await api('GET', '/users/alice')).body).toMatchObject({ name: 'Alice Smith', groups: ['accounting'] });
    expect((await api('GET', '/users/extra')).status).toBe(200);
    expect((await api('DELETE', '/users/extra')).status).toBe(204);
  });

  it('manages users: create, read, update, delete, with validation and conflicts', async () => {
    const created = await api('POST', '/users', { id: 'dan', name: 'Dan Brown', email: 'dan@example.com' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'dan', name: 'Dan Brown', email: 'dan@example.com', groups: [] });
    expect((await api('POST', '/users', { id: 'dan' })).status).toBe(409);
    for (const bad of [{ id: 'two words' }, { id: 'a,b' }, { id: '' }, { id: 'x', email: 'nope' }, { id: 'x', email: 'a@b.c\r\nBcc: evil@x.y' }, { id: 'x', name: 'line\nbreak' }, { id: 'x', role: 'admin' }]) {
      expect((await api('POST', '/users', bad)).status).toBe(400);
    }
    expect((await api('PATCH', '/users/dan', { email: 'dan@corp.example' })).body).toMatchObject({ name: 'Dan Brown', email: 'dan@corp.example' });
    expect((await api('PATCH', '/users/dan', { name: null })).body).toMatchObject({ name: null, email: 'dan@corp.example' });
    expect((await api('PATCH', '/users/ghost', { name: 'G' })).status).toBe(404);
    expect((await api('DELETE', '/users/ghost')).status).toBe(404);
    expect((await api('PATCH', '/groups/ghost', { name: 'G' })).status).toBe(404);
    expect((await api('DELETE', '/groups/ghost')).status).toBe(404);
    expect((await api('GET', '/users?q=corp')).body.items.map((u: { id: string }) => u.id)).toEqual(['dan']);
    expect((await api('GET', '/users/ghost')).status).toBe(404);
    expect((await api('GET', '/users/bad%20id')).status).toBe(400);
    expect((await api('GET', '/users', undefined, staff)).status).toBe(403);
    expect((await api('POST', '/users', { id: 'mallory' }, staff)).status).toBe(403);
    expect((await api('GET', '/groups', undefined, staff)).status).toBe(403);
  });

  it('manages groups and memberships', async () => {
    expect((await api('POST', '/groups', { id: 'support', name: 'Support' })).status).toBe(201);
    expect((await api('POST', '/groups', { id: 'support' })).status).toBe(409);
    expect((await api('POST', '/groups', { id: 'two words' })).status).toBe(400);
    expect((await api('PUT', '/groups/support/members/dan')).status).toBe(204);
    expect((await api('PUT', '/groups/support/members/dan')).status).toBe(204);
    expect((await api('PUT', '/groups/support/members/ghost')).status).toBe(404);
    expect((await api('PUT', '/groups/nowhere/members/dan')).status).toBe(404);
    expect((await api('GET', '/groups/support')).body).toMatchObject({ id: 'support', name: 'Support', memberCount: 1 });
    expect((await api('GET', '/groups/support/members')).body).toMatchObject({ total: 1, items: [{ id: 'dan', groups: ['support'] }] });
    expect((await api('GET', '/users?group=support')).body.items.map((u: { id: string }) => u.id)).toEqual(['dan']);
    expect((await api('PATCH', '/groups/support', { name: 'Customer support' })).body.name).toBe('Customer support');
    expect((await api('DELETE', '/groups/support/members/dan')).status).toBe(204);
    expect((await api('DELETE', '/groups/support/members/dan')).status).toBe(404);
    expect((await api('DELETE', '/groups/support')).status).toBe(204);
    expect((await api('GET', '/groups/support')).status).toBe(404);
  });

  it('adds directory groups to the token roles, so memberships decide inboxes', async () => {
    const modeler = await t.token('mo', ['modeler', 'integrator']);
    expect((await http('POST', `${t.url}/api/deployments`, { token: modeler, body: modelForm([{ name: 'legal.bpmn', xml: LEGAL_REVIEW }]) })).status).toBe(201);
    const started = await http('POST', `${t.url}/api/process-definitions/legal_review/start`, { token: modeler, json: {} });
    const dan = await t.token('dan', ['sales']);
    const inbox = async () => (await api('GET', `/tasks?processInstanceId=${started.body.id}`, undefined, dan)).body.items;

    expect((await api('GET', '/users/me', undefined, dan)).body).toEqual({ id: 'dan', name: null, email: 'dan@corp.example', groups: ['sales'], inDirectory: true });
    expect(await inbox()).toEqual([]);
    expect((await api('PUT', '/groups/legal/members/dan')).status).toBe(204);
    expect((await api('GET', '/users/me', undefined, dan)).body.groups).toEqual(['sales', 'legal']);
    const [task] = await inbox();
    expect(task).toMatchObject({ name: 'Legal review', candidateGroups: ['legal'] });
    expect((await api('GET', `/tasks/${task.id}`, undefined, dan)).status).toBe(200);

    // Leaving the group takes the task away at once (no cache).
    expect((await api('DELETE', '/groups/legal/members/dan')).status).toBe(204);
    expect(await inbox()).toEqual([]);
    expect((await api('GET', `/tasks/${task.id}`, undefined, dan)).status).toBe(403);
    // A user the directory does not know keeps the token's roles.
    expect((await api('GET', '/users/me', undefined, staff)).body).toEqual({ id: 'sam', name: null, email: null, groups: ['sales'], inDirectory: false });
    // Deleting a user removes their memberships.
    expect((await api('DELETE', '/users/lars')).status).toBe(204);
    expect((await api('GET', '/groups/legal')).body.memberCount).toBe(0);
  });
});
