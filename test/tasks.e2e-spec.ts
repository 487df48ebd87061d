import { CountCompactor } from '../src/tasks/count-compactor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { ASSIGNMENT_C7, FILTERS, FORM_DATA, FORM_JS, FORM_JS_SCHEMA, MULTI_REVIEW, VISIBILITY } from './support/task-models.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The worklist over real HTTP and PostgreSQL: visibility, claim/unclaim/assign/complete, every
// filter and sort, forms, multi-instance tasks, comments, bulk actions and the audit trail.

interface Task {
  id: string;
  name: string;
  elementId: string;
  processInstanceId: string;
  businessKey: string | null;
  assignee: string | null;
  candidateGroups: string[];
  priority: number;
  dueAt: string | null;
  state: string;
  variables?: Record<string, unknown>;
}

const USERS: Record<string, string[]> = {
  ada: ['admin'],
  alice: [],
  bob: [],
  sam: ['sales'],
  sue: ['sales'],
  otto: ['ops'],
  fil: ['g1', 'g2'],
  gus: ['g1'],
  sid: ['staff'],
  rita: [],
  ron: [],
  rex: [],
  ed: ['editors'],
  sup: ['support'],
  lea: ['legal'],
  lena: [],
  rob: [],
  mia: ['modeler', 'integrator'],
};

describe('worklist', () => {
  let t: TestApp;
  let db: TestDb;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    db = new TestDb(t.config.databaseUrl);
    for (const [user, roles] of Object.entries(USERS)) tokens[user] = await t.token(user, roles);
    const files = [
      { name: 'visibility.bpmn', xml: VISIBILITY },
      { name: 'filters.bpmn', xml: FILTERS },
      { name: 'formjs.bpmn', xml: FORM_JS },
      { name: 'formdata.bpmn', xml: FORM_DATA },
      { name: 'multireview.bpmn', xml: MULTI_REVIEW },
      { name: 'assign-c7.bpmn', xml: ASSIGNMENT_C7 },
    ];
    const deployed = await http('POST', `${t.url}/api/deployments`, { token: tokens.mia, body: modelForm(files) });
    expect(deployed.status).toBe(201);
    expect(deployed.body.warnings).toEqual([]);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const api = <T = any>(user: string, method: string, path: string, json?: unknown) => http<T>(method, `${t.url}/api${path}`, { token: tokens[user], json });
  const start = async (key: string, variables: Record<string, unknown> = {}, businessKey?: string): Promise<string> => {
    const res = await api('mia', 'POST', `/process-definitions/${key}/start`, { variables, ...(businessKey && { businessKey }) });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const list = async (user: string, query = ''): Promise<{ items: Task[]; total: number }> => {
    const res = await api(user, 'GET', `/tasks${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const ofInstance = (items: Task[], instanceId: string) => items.filter((task) => task.processInstanceId === instanceId);

  describe('visibility', () => {
    let instance: string;
    const byElement: Record<string, Task> = {};

    beforeAll(async () => {
      instance = await start('visibility', { note: 'hello' }, 'VIS-1');
      const all = await list('ada', `?assignee=any&processInstanceId=${instance}`);
      for (const task of all.items) byElement[task.elementId] = task;
    });

    it('gives each user the default inbox of exactly what is held by or offered to them; admin sees all', async () => {
      const inbox = async (user: string) => ofInstance((await list(user)).items, instance).map((task) => task.elementId).sort();
      expect(await inbox('alice')).toEqual(['forAlice']);
      expect(await inbox('bob')).toEqual(['forBob']);
      expect(await inbox('sam')).toEqual(['forSales']);
      expect(await inbox('otto')).toEqual([]);
      // admin: everything not held by someone else by default, everything with assignee=any.
      expect(await inbox('ada')).toEqual(['forBob', 'forNobody', 'forSales']);
      expect(Object.keys(byElement).sort()).toEqual(['forAlice', 'forBob', 'forNobody', 'forSales']);
      // A task naming nobody is offered to DEFAULT_TASK_GROUP.
      expect(byElement.forNobody).toMatchObject({ candidateGroups: ['admin'], assignee: null });
      expect(byElement.forAlice).toMatchObject({ assignee: 'alice', candidateGroups: [], name: "Alice's task", businessKey: 'VIS-1', state: 'open', escalated: false, dueAt: null, priority: 50 });
      expect(byElement.forSales).toMatchObject({ formKey: 'external:sales-form' });
      expect(byElement.forAlice).not.toHaveProperty('formKey');
    });

    it('reads a task only when it is offered: 403 for others, 404 for unknown and malformed ids', async () => {
      const detail = await api('alice', 'GET', `/tasks/${byElement.forAlice!.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ id: byElement.forAlice!.id, variables: { note: 'hello' }, form: null });
      expect((await api('bob', 'GET', `/tasks/${byElement.forBob!.id}`)).status).toBe(200);
      expect((await api('sam', 'GET', `/tasks/${byElement.forSales!.id}`)).status).toBe(200);
      for (const element of ['forAlice', 'forBob', 'forSales', 'forNobody']) {
        const res = await api('otto', 'GET', `/tasks/${byElement[element]!.id}`);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
        expect((await api('ada', 'GET', `/tasks/${byElement[element]!.id}`)).status).toBe(200);
      }
      expect((await api('bob', 'GET', `/tasks/${byElement.forAlice!.id}`)).status).toBe(403);
      expect((await api('otto', 'GET', '/tasks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await api('otto', 'GET', '/tasks/nope')).status).toBe(404);
      expect((await http('GET', `${t.url}/api/tasks`)).status).toBe(401);
    });

    it('claims with one conditional update: 403 when not offered, 409 when someone else holds it, idempotent for the holder', async () => {
      const sales = byElement.forSales!.id;
      expect((await api('otto', 'POST', `/tasks/${sales}/claim`)).status).toBe(403);
      expect((await api('bob', 'POST', `/tasks/${sales}/claim`)).status).toBe(403);
      const claimed = await api('sam', 'POST', `/tasks/${sales}/claim`);
      expect(claimed.status).toBe(200);
      expect(claimed.body).toMatchObject({ id: sales, assignee: 'sam' });
      expect((await api('sam', 'POST', `/tasks/${sales}/claim`)).status).toBe(200);
      const taken = await api('sue', 'POST', `/tasks/${sales}/claim`);
      expect(taken.status).toBe(409);
      expect(taken.body.message).toContain('held by sam');
      // sue still sees it (offered to her group), just not in her default inbox.
      expect((await api('sue', 'GET', `/tasks/${sales}`)).status).toBe(200);
      expect(ofInstance((await list('sue')).items, instance)).toEqual([]);
      expect(ofInstance((await list('sue', '?assignee=any')).items, instance).map((x) => x.assignee)).toEqual(['sam']);
      expect(ofInstance((await list('sue', '?candidateGroup=sales')).items, instance)).toHaveLength(1);
      expect(ofInstance((await list('sue', '?candidateGroup=sales&unassigned=true')).items, instance)).toHaveLength(0);
      expect(ofInstance((await list('sam', '?assignee=me')).items, instance).map((x) => x.elementId)).toEqual(['forSales']);
    });

    it('unclaims (holder or admin) and assigns (holder, admin, or a candidate while unassigned)', async () => {
      const sales = byElement.forSales!.id;
      expect((await api('sue', 'POST', `/tasks/${sales}/unclaim`)).status).toBe(409);
      expect((await api('otto', 'POST', `/tasks/${sales}/unclaim`)).status).toBe(403);
      const released = await api('sam', 'POST', `/tasks/${sales}/unclaim`);
      expect(released.status).toBe(200);
      expect(released.body.assignee).toBeNull();
      expect((await api('sam', 'POST', `/tasks/${sales}/unclaim`)).status).toBe(200);

      const handed = await api('sam', 'POST', `/tasks/${sales}/assign`, { assignee: 'sue' });
      expect(handed.status).toBe(200);
      expect(handed.body.assignee).toBe('sue');
      expect(ofInstance((await list('sue')).items, instance).map((x) => x.elementId)).toEqual(['forSales']);
      // The new holder hears of it through the mail outbox (written in the same statement).
      const [mail] = await db.rows(`SELECT payload FROM outbox WHERE kind = 'mail.notify' AND payload->>'taskId' = $1 AND payload->>'reason' = 'task-assigned'`, [sales]);
      expect(mail!.payload).toMatchObject({ template: 'task-assigned', to: [{ user: 'sue' }], reason: 'task-assigned', taskId: sales });
      expect((await api('sam', 'POST', `/tasks/${sales}/assign`, { assignee: 'sam' })).status).toBe(409);
      expect((await api('otto', 'POST', `/tasks/${sales}/assign`, { assignee: 'otto' })).status).toBe(403);
      expect((await api('sue', 'POST', `/tasks/${sales}/assign`, { assignee: 'bad name' })).status).toBe(400);
      expect((await api('sue', 'POST', `/tasks/${sales}/assign`, {})).status).toBe(400);
      const byAdmin = await api('ada', 'POST', `/tasks/${sales}/assign`, { assignee: 'bob' });
      expect(byAdmin.body.assignee).toBe('bob');
      // bob holds it now although he is not a candidate: he sees and may complete it.
      expect(ofInstance((await list('bob')).items, instance).map((x) => x.elementId).sort()).toEqual(['forBob', 'forSales']);
      expect((await api('ada', 'POST', `/tasks/${sales}/unclaim`)).body.assignee).toBeNull();

      const events = (await api('mia', 'GET', `/process-instances/${instance}/history`)).body.items.filter((e: { type: string }) =>
        ['task.claimed', 'task.unclaimed', 'task.assigned'].includes(e.type),
      );
      expect(events.map((e: { type: string; actor: string; data: Record<string, unknown> }) => [e.type, e.actor, e.data])).toEqual([
        ['task.claimed', 'sam', { taskId: sales, assignee: 'sam' }],
        ['task.unclaimed', 'sam', { taskId: sales, previousAssignee: 'sam' }],
        ['task.assigned', 'sam', { taskId: sales, assignee: 'sue', previousAssignee: null }],
        ['task.assigned', 'ada', { taskId: sales, assignee: 'bob', previousAssignee: 'sue' }],
        ['task.unclaimed', 'ada', { taskId: sales, previousAssignee: 'bob' }],
      ]);
      expect(events.every((e: { elementId: string }) => e.elementId === 'forSales')).toBe(true);
    });

    it('lists other users’ tasks and foreign groups only for admin', async () => {
      expect((await api('sam', 'GET', '/tasks?assignee=alice')).status).toBe(403);
      expect((await api('otto', 'GET', '/tasks?candidateGroup=sales')).status).toBe(403);
      expect(ofInstance((await list('ada', '?assignee=alice')).items, instance).map((x) => x.elementId)).toEqual(['forAlice']);
      expect(ofInstance((await list('ada', '?candidateGroup=sales')).items, instance).map((x) => x.elementId)).toEqual(['forSales']);
      expect(ofInstance((await list('alice', '?assignee=alice')).items, instance).map((x) => x.elementId)).toEqual(['forAlice']);
    });

    it('completes only for the holder or a candidate; a completed task never comes back', async () => {
      const mine = byElement.forAlice!.id;
      expect((await api('bob', 'POST', `/tasks/${mine}/complete`, {})).status).toBe(403);
      expect((await api('ada', 'POST', `/tasks/${mine}/complete`, {})).status).toBe(409);
      const done = await api('alice', 'POST', `/tasks/${mine}/complete`, { variables: { aliceSaid: 'yes' } });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ state: 'completed', completedBy: 'alice' });
      expect((await api('alice', 'POST', `/tasks/${mine}/complete`, {})).status).toBe(409);
      expect((await api('alice', 'POST', `/tasks/${mine}/claim`)).status).toBe(409);
      expect(ofInstance((await list('alice')).items, instance)).toEqual([]);
      expect((await api('alice', 'POST', `/tasks/${mine}/complete`, { variables: 'x' })).status).toBe(400);

      // A merely offered candidate claims and completes in one step; admin completes what no one holds.
      expect((await api('bob', 'POST', `/tasks/${byElement.forBob!.id}/complete`, {})).body).toMatchObject({ assignee: 'bob', state: 'completed' });
      expect((await api('sue', 'POST', `/tasks/${byElement.forSales!.id}/complete`, {})).status).toBe(200);
      expect((await api('ada', 'POST', `/tasks/${byElement.forNobody!.id}/complete`, {})).status).toBe(200);
      const instanceNow = await api('mia', 'GET', `/process-instances/${instance}`);
      expect(instanceNow.body).toMatchObject({ state: 'completed', variables: { note: 'hello', aliceSaid: 'yes' } });
      expect((await list('ada', `?state=all&processInstanceId=${instance}&assignee=any`)).total).toBe(4);
      expect((await list('ada', `?state=completed&processInstanceId=${instance}&assignee=any`)).total).toBe(4);
    });

    it('keeps comments on tasks the caller may see', async () => {
      const id = byElement.forBob!.id;
      expect((await api('otto', 'POST', `/tasks/${id}/comments`, { text: 'sneaky' })).status).toBe(403);
      expect((await api('otto', 'GET', `/tasks/${id}/comments`)).status).toBe(403);
      expect((await api('bob', 'POST', `/tasks/${id}/comments`, { text: '' })).status).toBe(400);
      expect((await api('bob', 'POST', '/tasks/00000000-0000-4000-8000-000000000000/comments', { text: 'x' })).status).toBe(404);
      const first = await api('bob', 'POST', `/tasks/${id}/comments`, { text: 'Done, see the attachment.' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ taskId: id, author: 'bob', text: 'Done, see the attachment.' });
      await api('ada', 'POST', `/tasks/${id}/comments`, { text: 'Thanks!' });
      const page = await api('bob', 'GET', `/tasks/${id}/comments?size=1&page=2`);
      expect(page.body).toMatchObject({ total: 2, page: 2, size: 1, items: [{ author: 'ada', text: 'Thanks!' }] });
    });
  });

  describe('filters, sorts and paging', () => {
    const day = 24 * 3600 * 1000;
    const base = Date.now();
    const at = (days: number) => new Date(base + days * day).toISOString();
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const specs: [string, Record<string, unknown>][] = [
        ['F1', { kind: 'a', group: 'g1', due: at(1), prio: 10 }],
        ['F2', { kind: 'b', group: 'g1', due: at(3), prio: 90, followUp: at(2) }],
        ['F3', { kind: 'c', group: 'g1', due: at(-1), prio: 50 }],
        ['F4', { kind: 'a', group: 'g1', due: null, prio: 70 }],
        ['F5', { kind: 'b', group: 'g2', due: at(2), prio: 20 }],
        ['F6', { kind: 'c', group: ['g1', 'g2'], due: at(4), prio: 30 }],
      ];
      for (const [key, variables] of specs) ids[key] = await start('filters', variables, key);
    });

    const keys = async (user: string, query: string) => (await list(user, `?definitionKey=filters&${query}`)).items.map((task) => task.businessKey);

    it('sorts by created (default), due, priority (highest first by default) and name, both ways', async () => {
      expect(await keys('fil', '')).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F6']);
      expect(await keys('fil', 'order=desc')).toEqual(['F6', 'F5', 'F4', 'F3', 'F2', 'F1']);
      expect(await keys('fil', 'sort=due')).toEqual(['F3', 'F1', 'F5', 'F2', 'F6', 'F4']);
      expect(await keys('fil', 'sort=due&order=desc')).toEqual(['F4', 'F6', 'F2', 'F5', 'F1', 'F3']);
      expect(await keys('fil', 'sort=priority')).toEqual(['F2', 'F4', 'F3', 'F6', 'F5', 'F1']);
      expect(await keys('fil', 'sort=priority&order=asc')).toEqual(['F1', 'F5', 'F6', 'F3', 'F4', 'F2']);
      const byName = (await list('fil', '?definitionKey=filters&sort=name')).items.map((task) => task.name);
      expect(byName).toEqual(['Alpha review', 'Alpha review', 'Beta check 50%', 'Beta check 50%', 'Gamma call', 'Gamma call']);
      const byNameDesc = (await list('fil', '?definitionKey=filters&sort=name&order=desc')).items.map((task) => task.name);
      expect(byNameDesc).toEqual([...byName].reverse());
    });

    it('filters by group membership, and counts a task offered to two of the caller’s groups once', async () => {
      expect(await keys('gus', '')).toEqual(['F1', 'F2', 'F3', 'F4', 'F6']);
      expect((await list('gus', '?definitionKey=filters')).total).toBe(5);
      expect((await list('fil', '?definitionKey=filters')).total).toBe(6);
      const everything = await list('fil', '');
      expect(everything.total).toBe(everything.items.length);
      expect(await keys('fil', 'candidateGroup=g2')).toEqual(['F5', 'F6']);
      expect(await keys('otto', '')).toEqual([]);
    });

    it('filters by due dates, overdue, priority, text, business key and instance', async () => {
      expect(await keys('fil', `dueBefore=${encodeURIComponent(at(2.5))}&sort=due`)).toEqual(['F3', 'F1', 'F5']);
      expect(await keys('fil', `dueAfter=${encodeURIComponent(at(0.5))}&sort=due`)).toEqual(['F1', 'F5', 'F2', 'F6']);
      expect(await keys('fil', 'overdue=true')).toEqual(['F3']);
      expect(await keys('fil', 'overdue=false')).toEqual(['F1', 'F2', 'F4', 'F5', 'F6']);
      expect(await keys('fil', 'priorityMin=50')).toEqual(['F2', 'F3', 'F4']);
      expect(await keys('fil', 'priorityMin=20&priorityMax=50')).toEqual(['F3', 'F5', 'F6']);
      expect(await keys('fil', 'q=alpha')).toEqual(['F1', 'F4']);
      expect(await keys('fil', 'q=ETA%20CHECK')).toEqual(['F2', 'F5']);
      expect(await keys('fil', 'q=50%25')).toEqual(['F2', 'F5']);
      expect(await keys('fil', 'q=5_%25')).toEqual([]);
      expect(await keys('fil', 'businessKey=F2')).toEqual(['F2']);
      expect(await keys('fil', `processInstanceId=${ids.F3}`)).toEqual(['F3']);
      expect((await list('fil', '?definitionKey=nothing-like-it')).items).toEqual([]);
      // Totals follow the filters (the inbox side table answers these).
      expect((await list('fil', '?definitionKey=filters&overdue=false&priorityMin=25')).total).toBe(3);
      const f2 = (await list('fil', '?businessKey=F2')).items[0]!;
      expect(f2).toMatchObject({ dueAt: at(3), followUpAt: at(2), priority: 90, candidateGroups: ['g1'] });
      expect((await list('fil', '?businessKey=F6')).items[0]!.candidateGroups).toEqual(['g1', 'g2']);
    });

    it('filters by assignment and state', async () => {
      expect((await api('fil', 'POST', `/tasks/${(await list('fil', '?businessKey=F1')).items[0]!.id}/claim`)).status).toBe(200);
      expect(await keys('fil', 'assignee=me')).toEqual(['F1']);
      expect(await keys('fil', 'unassigned=false')).toEqual(['F1']);
      expect(await keys('fil', 'unassigned=true')).toEqual(['F2', 'F3', 'F4', 'F5', 'F6']);
      expect(await keys('gus', '')).toEqual(['F2', 'F3', 'F4', 'F6']);
      expect(await keys('gus', 'assignee=any')).toEqual(['F1', 'F2', 'F3', 'F4', 'F6']);
      expect((await list('gus', '?definitionKey=filters')).total).toBe(4);

      const f4 = (await list('fil', '?businessKey=F4')).items[0]!.id;
      expect((await api('gus', 'POST', `/tasks/${f4}/complete`, {})).status).toBe(200);
      expect((await api('mia', 'POST', `/process-instances/${ids.F5}/cancel`)).status).toBe(200);
      expect(await keys('fil', '')).toEqual(['F1', 'F2', 'F3', 'F6']);
      expect(await keys('fil', 'state=completed&assignee=any')).toEqual(['F4']);
      expect(await keys('fil', 'state=canceled&assignee=any')).toEqual(['F5']);
      expect(await keys('fil', 'state=all&assignee=any')).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F6']);
      // gus completed F4: by default the completed list holds what he did.
      expect(await keys('gus', 'state=completed')).toEqual(['F4']);
    });

    it('keeps every total exact through claims, completions, cancelation and counter compaction', async () => {
      const totals = async () => {
        const out: Record<string, number> = {};
        for (const [name, user, query] of [
          ['fil inbox', 'fil', ''],
          ['gus inbox', 'gus', ''],
          ['gus overdue', 'gus', '?overdue=true'],
          ['g1 team', 'gus', '?candidateGroup=g1'],
          ['g2 team', 'fil', '?candidateGroup=g2'],
          ['admin inbox', 'ada', ''],
          ['fil any', 'fil', '?assignee=any'],
        ] as const) {
          const res = await list(user, query);
          out[name] = res.total;
          // Every list here fits one page: the total must equal what is listed.
          expect([name, res.items.length]).toEqual([name, res.total]);
        }
        return out;
      };
      // The background compaction (every 5 s) is paused so the deltas below are still there to fold.
      const compactor = t.app.get(CountCompactor);
      await compactor.onApplicationShutdown();
      try {
        // A claim and an unclaim: no total changes, but each appends counter deltas.
        const f2 = (await list('fil', '?businessKey=F2')).items[0]!.id;
        expect((await api('fil', 'POST', `/tasks/${f2}/claim`)).status).toBe(200);
        expect((await api('fil', 'POST', `/tasks/${f2}/unclaim`)).status).toBe(200);
        const before = await totals();
        expect(before).toMatchObject({ 'fil inbox': 4, 'gus inbox': 3, 'gus overdue': 1, 'g1 team': 4, 'g2 team': 1 });
        expect(await compactor.compact()).toBeGreaterThan(0);
        expect(await db.rows('SELECT * FROM user_task_count_delta')).toEqual([]);
        expect(await totals()).toEqual(before);
      } finally {
        compactor.onApplicationBootstrap();
      }
    });

    it('pages with totals', async () => {
      const seen: string[] = [];
      for (const page of [1, 2, 3]) {
        const res = await list('fil', `?definitionKey=filters&state=all&assignee=any&size=2&page=${page}`);
        expect(res).toMatchObject({ total: 6, page, size: 2 });
        expect(res.items).toHaveLength(2);
        seen.push(...res.items.map((task) => task.businessKey!));
      }
      expect(seen).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F6']);
      expect((await list('fil', '?definitionKey=filters&page=9')).items).toEqual([]);
    });

    it('returns each task’s variables on request, optionally only some', async () => {
      const all = (await list('fil', '?businessKey=F2&withVariables=true')).items[0]!;
      expect(all.variables).toEqual({ kind: 'b', group: 'g1', due: at(3), prio: 90, followUp: at(2) });
      expect((await list('fil', '?businessKey=F2&withVariables=true&variables=prio,kind,absent')).items[0]!.variables).toEqual({ prio: 90, kind: 'b' });
      expect((await list('fil', '?businessKey=F2&variables=prio')).items[0]!.variables).toEqual({ prio: 90 });
      expect((await list('fil', '?businessKey=F2')).items[0]).not.toHaveProperty('variables');
    });

    it.each([
      'state=bogus',
      'sort=size',
      'order=up',
      'overdue=yes',
      'unassigned=1',
      'withVariables=maybe',
      'dueBefore=tomorrow',
      'dueAfter=2025-13-45T00:00:00Z',
      'priorityMin=high',
      'priorityMax=1.5',
      'processInstanceId=xyz',
      'size=201',
      'size=0',
      'page=0',
      'q=',
      'variables=a,,b',
      'assignee=two%20words',
      'candidateGroup=a,b',
      'colour=blue',
      'state=open&state=all',
    ])('refuses %s with 400', async (query) => {
      const res = await api('fil', 'GET', `/tasks?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('never lets a filter value into the SQL text', async () => {
      const hostile = encodeURIComponent("x' OR '1'='1");
      expect((await list('otto', `?definitionKey=${hostile}`)).items).toEqual([]);
      expect((await list('otto', `?q=${hostile}`)).items).toEqual([]);
      expect((await list('otto', `?businessKey=${hostile}`)).items).toEqual([]);
    });
  });

  describe('forms', () => {
    it('validates a completion against the embedded form-js schema, naming each bad field (422)', async () => {
      const instance = await start('formjs', { amount: 5 });
      const [task] = (await list('sid', `?processInstanceId=${instance}`)).items;
      const detail = await api('sid', 'GET', `/tasks/${task!.id}`);
      expect(detail.body.form).toEqual({ schema: FORM_JS_SCHEMA });
      expect(detail.body.formKey).toBe('camunda-forms:bpmn:expenseForm');

      const bad = await api('sid', 'POST', `/tasks/${task!.id}/complete`, {
        variables: { title: 'ab', amount: 5000, currency: 'GBP', email: 'not-mail', code: 'xx-1', spentOn: '2025-02-30x', tags: ['travel', 'golf'], address: { city: '' } },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.error).toBe('Unprocessable Entity');
      expect(bad.body.details).toEqual([
        { field: 'title', message: 'must have at least 3 characters' },
        { field: 'amount', message: 'must be at most 1000' },
        { field: 'agree', message: 'is required' },
        { field: 'currency', message: "must be one of: 'EUR', 'USD'" },
        { field: 'email', message: 'must be an email address' },
        { field: 'code', message: 'must match the pattern ^[A-Z]{2}-\\d+$' },
        { field: 'spentOn', message: 'must be a date (YYYY-MM-DD)' },
        { field: 'tags', message: "contains values that are not options: 'golf'" },
        { field: 'address.city', message: 'is required' },
        { field: 'reason', message: 'is required' },
      ]);
      // The failed attempt did not keep the task claimed.
      expect((await api('sid', 'GET', `/tasks/${task!.id}`)).body.assignee).toBeNull();
      const types = await api('sid', 'POST', `/tasks/${task!.id}/complete`, { variables: { title: 7, amount: 'ten', agree: 'yes', address: { city: 'Oslo' }, reason: 'big' } });
      expect(types.body.details).toEqual([
        { field: 'title', message: 'must be text' },
        { field: 'amount', message: 'must be a number' },
        { field: 'agree', message: 'must be true or false' },
      ]);

      // amount ≤ 500 hides `reason`; the existing amount (5) counts for required fields.
      const ok = await api('sid', 'POST', `/tasks/${task!.id}/complete`, {
        variables: { title: 'Taxi', agree: true, currency: 'EUR', email: 'sid@example.com', code: 'AB-12', spentOn: '2025-02-28', tags: ['travel'], address: { city: 'Oslo' } },
      });
      expect(ok.status).toBe(200);
      expect((await api('mia', 'GET', `/process-instances/${instance}`)).body).toMatchObject({ state: 'completed', variables: expect.objectContaining({ title: 'Taxi', address: { city: 'Oslo' } }) });
    });

    it('validates Camunda 7 formData fields: required, type, enum, ranges', async () => {
      const instance = await start('formdata');
      const [task] = (await list('sid', `?processInstanceId=${instance}`)).items;
      expect((await api('sid', 'GET', `/tasks/${task!.id}`)).body.form.fields.map((f: { id: string }) => f.id)).toEqual(['quantity', 'size', 'code', 'deliverOn', 'gift']);
      const missing = await api('sid', 'POST', `/tasks/${task!.id}/complete`, { variables: {} });
      expect(missing.status).toBe(422);
      expect(missing.body.details).toEqual([
        { field: 'quantity', message: 'is required' },
        { field: 'size', message: 'is required' },
      ]);
      const wrong = await api('sid', 'POST', `/tasks/${task!.id}/complete`, { variables: { quantity: 2.5, size: 'M', code: 'ab', deliverOn: 'soon', gift: 'no' } });
      expect(wrong.body.details).toEqual([
        { field: 'quantity', message: 'must be a whole number' },
        { field: 'size', message: "must be one of: 'S', 'L'" },
        { field: 'code', message: 'must have at least 3 characters' },
        { field: 'deliverOn', message: 'must be a date (dd/MM/yyyy or ISO-8601)' },
        { field: 'gift', message: 'must be true or false' },
      ]);
      expect((await api('sid', 'POST', `/tasks/${task!.id}/complete`, { variables: { quantity: 101, size: 'S' } })).body.details).toEqual([{ field: 'quantity', message: 'must be at most 100' }]);
      const ok = await api('sid', 'POST', `/tasks/${task!.id}/complete`, { variables: { quantity: 3, size: 'L', code: 'abc', deliverOn: '24/12/2025', gift: true, extra: 'kept' } });
      expect(ok.status).toBe(200);
    });
  });

  describe('assignment from the model', () => {
    it('offers Camunda 7 expression/list candidates and standard BPMN resource roles, with dates, priority and form key', async () => {
      const created = Date.now();
      const instance = await start('assign_c7', { reviewer: 'rob', followUp: '2031-01-02T03:04:05Z', prio: 77, owner: 'lena' });
      const inbox = async (user: string) => ofInstance((await list(user)).items, instance).map((task) => task.elementId);
      for (const user of ['rob', 'bob', 'sam', 'sup']) expect([user, await inbox(user)]).toEqual([user, ['c7']]);
      expect(await inbox('lea')).toEqual(['std']);
      expect(await inbox('lena')).toEqual(['std']);
      expect(await inbox('otto')).toEqual([]);
      const [c7] = ofInstance((await list('rob')).items, instance);
      expect(c7).toMatchObject({ candidateUsers: ['rob', 'bob'], candidateGroups: ['sales', 'support'], priority: 77, followUpAt: '2031-01-02T03:04:05.000Z', formKey: 'embedded:app:forms/review.html' });
      const due = Date.parse(c7!.dueAt!) - created;
      expect(due).toBeGreaterThan(2 * 86_400_000 - 60_000);
      expect(due).toBeLessThan(2 * 86_400_000 + 60_000);

      expect((await api('sup', 'POST', `/tasks/${c7!.id}/complete`, {})).status).toBe(200);
      const [std] = ofInstance((await list('lena')).items, instance);
      expect(std).toMatchObject({ candidateGroups: ['legal'], candidateUsers: ['lena'] });
      expect((await api('lea', 'POST', `/tasks/${std!.id}/complete`, {})).status).toBe(200);
      // humanPerformer ${owner}: assigned, in lena's inbox only.
      expect(await inbox('lena')).toEqual(['performed']);
      expect(await inbox('lea')).toEqual([]);
      expect(ofInstance((await list('lena')).items, instance)[0]).toMatchObject({ assignee: 'lena', candidateGroups: [] });
    });
  });

  describe('multi-instance user tasks', () => {
    it('gives each reviewer exactly their own task with their own loop variables, then moves on', async () => {
      const instance = await start('multireview', { reviewers: ['rita', 'ron', 'rex'], draft: 'v1' });
      const mine: Record<string, Task> = {};
      for (const reviewer of ['rita', 'ron', 'rex']) {
        const inbox = ofInstance((await list(reviewer, '?withVariables=true')).items, instance);
        expect(inbox).toHaveLength(1);
        mine[reviewer] = inbox[0]!;
        expect(inbox[0]).toMatchObject({ assignee: reviewer, elementId: 'review', name: 'Review the draft' });
        expect(inbox[0]!.variables).toMatchObject({ reviewer, draft: 'v1', reviewers: ['rita', 'ron', 'rex'] });
      }
      expect(new Set(Object.values(mine).map((task) => task.id)).size).toBe(3);
      expect((await api('rita', 'GET', `/tasks/${mine.ron!.id}`)).status).toBe(403);
      expect((await api('rita', 'POST', `/tasks/${mine.ron!.id}/complete`, {})).status).toBe(403);
      expect((await api('ron', 'GET', `/tasks/${mine.ron!.id}`)).body.variables).toMatchObject({ reviewer: 'ron', loopCounter: 2 });
      expect(ofInstance((await list('ada', '?assignee=any')).items, instance)).toHaveLength(3);

      for (const [reviewer, verdict] of [['rita', 'ok'], ['ron', 'fix typos'], ['rex', 'ok']] as const) {
        expect((await api(reviewer, 'POST', `/tasks/${mine[reviewer]!.id}/complete`, { variables: { verdict } })).status).toBe(200);
        expect(ofInstance((await list(reviewer)).items, instance)).toEqual([]);
      }
      const [publish] = ofInstance((await list('ed', '?withVariables=true')).items, instance);
      expect(publish).toMatchObject({ elementId: 'after', variables: expect.objectContaining({ verdicts: ['ok', 'fix typos', 'ok'] }) });
    });
  });

  it('refuses to complete a task of a suspended instance (409) without a claim in the history, and completes it after resume', async () => {
    const instance = await start('visibility', {}, 'SUSP-1');
    const task = (await list('ada', `?assignee=any&processInstanceId=${instance}`)).items.find((item) => item.elementId === 'forNobody')!;
    expect((await api('mia', 'POST', `/process-instances/${instance}/suspend`)).status).toBe(200);
    const refused = await api('ada', 'POST', `/tasks/${task.id}/complete`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('suspended');
    const types = async () => ((await api('mia', 'GET', `/process-instances/${instance}/history`)).body.items as { type: string }[]).map((e) => e.type);
    expect(await types()).not.toContain('task.claimed');
    expect((await api('mia', 'POST', `/process-instances/${instance}/resume`)).status).toBe(200);
    expect((await api('ada', 'POST', `/tasks/${task.id}/complete`, {})).status).toBe(200);
    expect(await types()).toEqual(expect.arrayContaining(['task.claimed', 'task.completed']));
  });

  describe('bulk', () => {
    it('claims, assigns, completes and unclaims many tasks with a result per task', async () => {
      const a = await start('filters', { kind: 'a', group: 'g1', prio: 1 }, 'B-1');
      const b = await start('filters', { kind: 'b', group: 'g1', prio: 1 }, 'B-2');
      const c = await start('filters', { kind: 'c', group: 'g2', prio: 1 }, 'B-3');
      const [ta, tb, tc] = await Promise.all([a, b, c].map(async (id) => (await list('fil', `?processInstanceId=${id}`)).items[0]!.id));
      const unknown = '00000000-0000-4000-8000-000000000000';

      const claim = await api('gus', 'POST', '/tasks/bulk', { action: 'claim', taskIds: [ta, tb, tc, unknown] });
      expect(claim.status).toBe(200);
      expect(claim.body).toMatchObject({ action: 'claim', succeeded: 2, failed: 2 });
      expect(claim.body.results.map((r: { taskId: string; status: number }) => [r.taskId, r.status])).toEqual([
        [ta, 200],
        [tb, 200],
        [tc, 403],
        [unknown, 404],
      ]);
      expect(claim.body.results[0].task).toMatchObject({ id: ta, assignee: 'gus' });
      expect(claim.body.results[2].error).toMatchObject({ statusCode: 403, error: 'Forbidden' });

      const steal = await api('fil', 'POST', '/tasks/bulk', { action: 'claim', taskIds: [ta, tc] });
      expect(steal.body.results.map((r: { status: number }) => r.status)).toEqual([409, 200]);

      const assign = await api('gus', 'POST', '/tasks/bulk', { action: 'assign', taskIds: [tb], assignee: 'fil' });
      expect(assign.body.results[0]).toMatchObject({ status: 200, task: { assignee: 'fil' } });

      const complete = await api('fil', 'POST', '/tasks/bulk', { action: 'complete', taskIds: [tb, tc, ta], variables: { bulkDone: true } });
      expect(complete.body.results.map((r: { status: number }) => r.status)).toEqual([200, 200, 409]);
      expect((await api('mia', 'GET', `/process-instances/${b}`)).body).toMatchObject({ state: 'completed', variables: expect.objectContaining({ bulkDone: true }) });

      const unclaim = await api('gus', 'POST', '/tasks/bulk', { action: 'unclaim', taskIds: [ta, tb] });
      expect(unclaim.body.results.map((r: { status: number }) => r.status)).toEqual([200, 409]);

      for (const bad of [
        { action: 'assign', taskIds: [ta] },
        { action: 'claim', taskIds: [] },
        { action: 'claim', taskIds: [ta, ta] },
        { action: 'claim', taskIds: ['nope'] },
        { action: 'delete', taskIds: [ta] },
        { action: 'claim', taskIds: Array.from({ length: 101 }, () => unknown) },
      ]) {
        expect((await api('gus', 'POST', '/tasks/bulk', bad)).status).toBe(400);
      }
    });
  });

  it('describes the worklist in the OpenAPI document', async () => {
    const { body } = await http('GET', `${t.url}/api/docs-json`);
    for (const path of ['/api/tasks', '/api/tasks/bulk', '/api/tasks/{id}', '/api/tasks/{id}/claim', '/api/tasks/{id}/unclaim', '/api/tasks/{id}/assign', '/api/tasks/{id}/complete', '/api/tasks/{id}/comments']) {
      expect(body.paths).toHaveProperty([path]);
    }
    const params = body.paths['/api/tasks'].get.parameters.map((p: { name: string }) => p.name);
    for (const name of ['assignee', 'candidateGroup', 'unassigned', 'state', 'definitionKey', 'processInstanceId', 'businessKey', 'dueBefore', 'dueAfter', 'overdue', 'priorityMin', 'q', 'sort', 'order', 'page', 'size', 'withVariables', 'variables']) {
      expect(params).toContain(name);
    }
  });
});
