import { readFile } from 'node:fs/promises';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { TestDb } from './support/db.js';
import { http, modelForm } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Must-show: the invoice model of processes/ from start to end through the worklist API only, with
// three users in three groups, each seeing exactly their own tasks. The one exception is the
// archive-invoice job (a BullMQ worker's business), completed through the CommandExecutor.

describe('invoice approval through the worklist API', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    tokens.alice = await t.token('alice', ['accounting']);
    tokens.bob = await t.token('bob', ['sales']);
    tokens.carol = await t.token('carol', ['management']);
    tokens.mia = await t.token('mia', ['modeler', 'integrator']);
    const xml = await readFile('processes/invoice-approval.bpmn', 'utf8');
    const deployed = await http('POST', `${t.url}/api/deployments`, { token: tokens.mia, body: modelForm([{ name: 'invoice-approval.bpmn', xml }]) });
    expect(deployed.status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const api = (user: string, method: string, path: string, json?: unknown) => http(method, `${t.url}/api${path}`, { token: tokens[user], json });

  /** Each user's inbox as (element id, business key) pairs. */
  async function inboxes(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const user of ['alice', 'bob', 'carol']) {
      const { status, body } = await api(user, 'GET', '/tasks?sort=name');
      expect(status).toBe(200);
      expect(body.total).toBe(body.items.length);
      out[user] = body.items.map((task: { elementId: string; businessKey: string }) => `${task.elementId}@${task.businessKey}`);
    }
    return out;
  }

  it('runs start → assign approver → approve (sales) → reject → review → approve (management) → archive → end', async () => {
    const started = await api('alice', 'POST', '/process-definitions/invoice-approval/start', {
      businessKey: 'INV-7',
      variables: { creditor: 'Great Pizza for Everyone Inc.', amount: 30, invoiceCategory: 'travelExpenses', invoiceNumber: 'GPFE-7' },
    });
    expect(started.status).toBe(201);
    const instanceId = started.body.id;

    // 1. Accounting assigns the approver group.
    expect(await inboxes()).toEqual({ alice: ['Task_AssignApprover@INV-7'], bob: [], carol: [] });
    let [task] = (await api('alice', 'GET', '/tasks')).body.items;
    expect(task).toMatchObject({ name: 'Assign approver group', candidateGroups: ['accounting'], assignee: null, state: 'open', definitionKey: 'invoice-approval', processInstanceId: instanceId });
    const detail = await api('alice', 'GET', `/tasks/${task.id}`);
    expect(detail.body.variables).toEqual({ creditor: 'Great Pizza for Everyone Inc.', amount: 30, invoiceCategory: 'travelExpenses', invoiceNumber: 'GPFE-7' });
    expect(detail.body.form.fields).toEqual([expect.objectContaining({ id: 'approverGroup', type: 'string', required: true })]);
    // The others may not even look at it.
    expect((await api('bob', 'GET', `/tasks/${task.id}`)).status).toBe(403);
    expect((await api('bob', 'POST', `/tasks/${task.id}/complete`, { variables: { approverGroup: 'sales' } })).status).toBe(403);
    // The form wants an approver group.
    const invalid = await api('alice', 'POST', `/tasks/${task.id}/complete`, { variables: {} });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details).toEqual([{ field: 'approverGroup', message: 'is required' }]);
    expect((await api('alice', 'POST', `/tasks/${task.id}/claim`)).body.assignee).toBe('alice');
    const done = await api('alice', 'POST', `/tasks/${task.id}/complete`, { variables: { approverGroup: 'sales' } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'completed', assignee: 'alice', completedBy: 'alice' });

    // 2. Sales approves or rejects: bob rejects.
    expect(await inboxes()).toEqual({ alice: [], bob: ['Task_ApproveInvoice@INV-7'], carol: [] });
    [task] = (await api('bob', 'GET', '/tasks')).body.items;
    const wrongType = await api('bob', 'POST', `/tasks/${task.id}/complete`, { variables: { approved: 'no' } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.details).toEqual([{ field: 'approved', message: 'must be true or false' }]);
    expect((await api('bob', 'POST', `/tasks/${task.id}/comments`, { text: 'The amount looks wrong.' })).status).toBe(201);
    expect((await api('bob', 'POST', `/tasks/${task.id}/complete`, { variables: { approved: false } })).status).toBe(200);

    // 3. Accounting reviews, clarifies, and sends it to management this time.
    expect(await inboxes()).toEqual({ alice: ['Task_ReviewInvoice@INV-7'], bob: [], carol: [] });
    [task] = (await api('alice', 'GET', '/tasks')).body.items;
    expect((await api('alice', 'POST', `/tasks/${task.id}/complete`, { variables: { clarified: true, approverGroup: 'management' } })).status).toBe(200);

    // 4. Management approves.
    expect(await inboxes()).toEqual({ alice: [], bob: [], carol: ['Task_ApproveInvoice@INV-7'] });
    [task] = (await api('carol', 'GET', '/tasks?withVariables=true&variables=amount,approverGroup')).body.items;
    expect(task.variables).toEqual({ amount: 30, approverGroup: 'management' });
    expect((await api('carol', 'POST', `/tasks/${task.id}/complete`, { variables: { approved: true } })).status).toBe(200);
    expect(await inboxes()).toEqual({ alice: [], bob: [], carol: [] });

    // 5. The archive job: a worker's business (jobs issue); completed through the runtime here.
    const mia = tokens.mia;
    const jobs = await t.app.get(CommandExecutor);
    const { body: running } = await http('GET', `${t.url}/api/process-instances/${instanceId}`, { token: mia });
    expect(running.activeElements.map((e: { elementId: string }) => e.elementId)).toEqual(['Task_ArchiveInvoice']);
    const db = new TestDb(t.config.databaseUrl);
    const pending = await db.pendingJobs(instanceId);
    await db.close();
    expect(pending).toHaveLength(1);
    const jobKey = pending[0]!.key;
    await jobs.execute(instanceId, { type: 'completeJob', jobKey, variables: { archiveId: 'ARC-7' } });

    const { body: finished } = await http('GET', `${t.url}/api/process-instances/${instanceId}`, { token: mia });
    expect(finished).toMatchObject({ state: 'completed', variables: expect.objectContaining({ approved: true, approverGroup: 'management', archiveId: 'ARC-7' }) });

    // The audit trail holds every human step with its actor.
    const history = (await http('GET', `${t.url}/api/process-instances/${instanceId}/history`, { token: mia })).body.items as { type: string; actor?: string; elementId?: string }[];
    const taskEvents = history.filter((e) => e.type.startsWith('task.')).map((e) => `${e.type}:${e.elementId}:${e.actor ?? ''}`);
    expect(taskEvents).toEqual([
      'task.created:Task_AssignApprover:alice',
      'task.claimed:Task_AssignApprover:alice',
      'task.completed:Task_AssignApprover:alice',
      'task.created:Task_ApproveInvoice:alice',
      'task.claimed:Task_ApproveInvoice:bob',
      'task.completed:Task_ApproveInvoice:bob',
      'task.created:Task_ReviewInvoice:bob',
      'task.claimed:Task_ReviewInvoice:alice',
      'task.completed:Task_ReviewInvoice:alice',
      'task.created:Task_ApproveInvoice:alice',
      'task.claimed:Task_ApproveInvoice:carol',
      'task.completed:Task_ApproveInvoice:carol',
    ]);

    // Completed tasks stay readable to those who did them, and never come back to an inbox.
    const mine = await api('bob', 'GET', '/tasks?state=completed');
    expect(mine.body.items.map((x: { elementId: string; completedBy: string }) => `${x.elementId}:${x.completedBy}`)).toEqual(['Task_ApproveInvoice:bob']);
    const comments = await api('bob', 'GET', `/tasks/${mine.body.items[0].id}/comments`);
    expect(comments.body).toMatchObject({ total: 1, items: [{ author: 'bob', text: 'The amount looks wrong.' }] });
  });
});
