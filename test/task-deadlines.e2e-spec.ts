import { readFile } from 'node:fs/promises';
import { DirectoryRepository } from '../src/persistence/directory.repository.js';
import { TaskDeadlineRepository } from '../src/persistence/task-deadline.repository.js';
import { CommandExecutor } from '../src/runtime/command-executor.js';
import { startSmtp, type ReceivedMail, type SmtpCapture } from './notifications-smtp.js';
import { TestDb } from './support/db.js';
import { http } from './support/http.js';
import { definitions } from './support/models.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { sleep, until } from './support/wait.js';

// jBPM-style deadlines on user tasks, end to end: the real app, the real timer poller firing
// `task-deadline` rows after real elapsed time (PT1S), and a real SMTP server receiving the mails.


/** A Camunda 8 user task with notification headers; `assignment` is the zeebe:assignmentDefinition attributes. */
function taskModel(id: string, assignment: string, headers: Record<string, string>, extra = ''): string {
  const headerXml = Object.entries(headers)
    .map(([key, value]) => `<zeebe:header key="${key}" value="${value}" />`)
    .join('');
  return definitions(`
  <bpmn:process id="${id}" name="Deadline ${id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Task_Review" />
    <bpmn:userTask id="Task_Review" name="Review ${id}">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition ${assignment} />
        ${extra}
        <zeebe:taskHeaders>${headerXml}</zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);
}

/** The same in Camunda 7 form: assignee and deadline headers as camunda:properties. */
const C7_ESCALATION = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://flowdesk.test">
  <bpmn:process id="c7-escalation" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Task_Approve" />
    <bpmn:userTask id="Task_Approve" name="Approve the refund" camunda:assignee="\${clerk}">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="escalateAfter" value="PT1S" />
          <camunda:property name="escalateTo" value="supervisors" />
        </camunda:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('user-task deadlines: reminders, escalation, overdue, creation mails', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let db: TestDb;
  let admin: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_ATTEMPTS: '3', MAIL_BACKOFF_MS: '100' });
    db = new TestDb(t.config.databaseUrl);
    admin = await t.token('ada', ['admin']);
    const models = [
      taskModel('remind', 'candidateGroups="reviewers"', { remindAfter: 'PT1S', remindEvery: 'PT1S' }),
      taskModel('escalate', 'assignee="=owner"', { escalateAfter: '=escalateIn', escalateTo: 'supervisors' }),
      taskModel('overdue', 'candidateGroups="reviewers"', {}, '<zeebe:taskSchedule dueDate="=dueAt" />'),
      taskModel('own-mail', 'candidateGroups="reviewers"', { template: 'late-delivery', to: '=customerEmail', cc: 'group:supervisors' }),
      taskModel('nobody', '', {}),
      C7_ESCALATION,
      await readFile('processes/order-fulfilment.bpmn', 'utf8'),
    ];
    for (const xml of models) {
      const deployed = await http('POST', `${t.url}/api/deployments`, { token: admin, body: xml, headers: { 'content-type': 'application/xml' } });
      expect(deployed.status).toBe(201);
    }
    const directory = t.app.get(DirectoryRepository);
    await directory.createGroup({ id: 'reviewers', name: 'Reviewers' });
    await directory.createGroup({ id: 'supervisors', name: 'Supervisors' });
    await directory.createGroup({ id: 'customer-service-leads', name: 'Customer service leads' });
    await directory.createUser({ id: 'lea', name: 'Lea', email: 'lea@example.com' });
    await directory.createUser({ id: 'rita', name: 'Rita', email: 'rita@example.com' });
    await directory.createUser({ id: 'ray', name: 'Ray', email: 'ray@example.com' });
    await directory.createUser({ id: 'sue', name: 'Sue', email: 'sue@example.com' });
    await directory.createUser({ id: 'dave', name: 'Dave', email: 'dave@example.com' });
    for (const [group, user] of [['reviewers', 'rita'], ['reviewers', 'ray'], ['supervisors', 'sue'], ['customer-service-leads', 'lea']] as const) {
      expect(await directory.addMember(group, user)).toBe('added');
    }
  });
  afterAll(async () => {
    await db.close();
    await t.close();
    await smtp.close();
  });

  const api = (method: string, path: string, json?: unknown, token = admin) => http(method, `${t.url}/api${path}`, { token, json });
  const start = async (key: string, variables: Record<string, unknown> = {}) => {
    const started = await api('POST', `/process-definitions/${key}/start`, { variables });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const taskOf = async (instanceId: string) => {
    const [task] = await db.openTasks(instanceId);
    expect(task).toBeDefined();
    return (await api('GET', `/tasks/${task!.id}`)).body;
  };
  const notifications = async (instanceId: string) =>
    ((await api('GET', `/notifications?processInstanceId=${instanceId}&size=100`)).body.items as any[]).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const mailsAbout = (taskId: string) => smtp.mails.filter((mail) => (mail.html ?? '').includes(`/api/tasks/${taskId}`));
  const history = async (instanceId: string) => (await api('GET', `/process-instances/${instanceId}/history`)).body.items as { type: string; data?: any; actor?: string }[];
  const deadlineRows = (taskId: string) => db.rows<{ state: string; timer: any }>(`SELECT state, timer FROM timer WHERE task_id = $1 ORDER BY due_at`, [taskId]);

  it('reminds the candidates every second while the task stays open, and stops when it is completed', async () => {
    const id = await start('remind');
    const task = await taskOf(id);
    // Created: offered to the reviewers, one mail each.
    const offered = await until('offered mails', async () => {
      const mails = mailsAbout(task.id).filter((mail) => mail.header('subject')?.startsWith('New task'));
      return mails.length === 2 && mails;
    });
    expect(offered.map((mail) => mail.rcptTo[0]).sort()).toEqual(['ray@example.com', 'rita@example.com']);

    // Two reminders (occurrences 1 and 2) reach both reviewers while nobody acts.
    const reminders = () => mailsAbout(task.id).filter((mail) => mail.header('subject')?.startsWith('Reminder'));
    await until('two rounds of reminders', async () => reminders().length >= 4);
    const rows = (await notifications(id)).filter((n) => n.reason === 'task-reminder');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.slice(0, 4).map((n) => n.to[0].address).sort()).toEqual(['ray@example.com', 'ray@example.com', 'rita@example.com', 'rita@example.com']);

    // Rita claims it: the next reminder goes to her alone.
    expect((await api('POST', `/tasks/${task.id}/claim`, undefined, await t.token('rita', ['reviewers']))).status).toBe(200);
    const claimedAt = smtp.mails.length;
    await until('a reminder to the holder', async () => smtp.mails.slice(claimedAt).some((mail) => mail.header('subject')?.startsWith('Reminder') && mail.rcptTo[0] === 'rita@example.com'));
    const afterClaim = smtp.mails.slice(claimedAt).filter((mail) => mail.header('subject')?.startsWith('Reminder') && mailsAbout(task.id).includes(mail));
    expect(afterClaim.every((mail) => mail.rcptTo[0] === 'rita@example.com')).toBe(true);

    // Completed: the pending reminder is canceled with the task, and no mail follows.
    expect((await api('POST', `/tasks/${task.id}/complete`, {}, await t.token('rita', ['reviewers']))).status).toBe(200);
    const pendingAfter = (await deadlineRows(task.id)).filter((row) => row.state === 'pending');
    expect(pendingAfter).toEqual([]);
    const count = reminders().length;
    await sleep(1500);
    expect(reminders().length).toBe(count);
    const states = (await deadlineRows(task.id)).map((row) => row.state);
    expect(states.at(-1)).toBe('canceled');
    expect(states.slice(0, -1).every((state) => state === 'fired')).toBe(true);
  });

  it('escalates an unfinished task: the assignee is cleared, the group takes over and is mailed', async () => {
    const id = await start('escalate', { owner: 'dave', escalateIn: 'PT1S' });
    const task = await taskOf(id);
    expect(task).toMatchObject({ assignee: 'dave', escalated: false, escalatedAt: null });
    await until('the task-assigned mail to dave', async () => mailsAbout(task.id).some((mail) => mail.rcptTo[0] === 'dave@example.com' && mail.header('subject')?.startsWith('Assigned to you')));

    const escalatedMail = await smtp.waitFor((mail) => mailsAbout(task.id).includes(mail) && mail.rcptTo[0] === 'sue@example.com');
    expect(escalatedMail.header('subject')).toBe('Escalated: Review escalate');
    expect(escalatedMail.text).toContain('supervisors');

    const after = (await api('GET', `/tasks/${task.id}`)).body;
    expect(after).toMatchObject({ assignee: null, candidateGroups: ['supervisors'], candidateUsers: [], escalated: true, state: 'open' });
    expect(Date.parse(after.escalatedAt)).toBeGreaterThanOrEqual(Date.parse(task.createdAt) + 1000);
    const escalatedEvent = (await history(id)).find((event) => event.type === 'task.escalated');
    expect(escalatedEvent?.data).toEqual({ taskId: task.id, escalateTo: 'supervisors', previousAssignee: 'dave', previousCandidateGroups: [], previousCandidateUsers: [] });

    // The inboxes follow: sue sees it, dave no longer does.
    const inboxOf = async (user: string, groups: string[]) => ((await api('GET', '/tasks', undefined, await t.token(user, groups))).body.items as { id: string }[]).map((item) => item.id);
    expect(await inboxOf('sue', ['supervisors'])).toContain(task.id);
    expect(await inboxOf('dave', [])).not.toContain(task.id);
    // One escalation, fired once.
    expect((await deadlineRows(task.id)).map((row) => [row.state, row.timer.deadline])).toEqual([['fired', 'escalation']]);
  });

  it('holds a deadline while its instance is suspended and fires it after resume', async () => {
    const id = await start('escalate', { owner: 'dave', escalateIn: 'PT1S' });
    const task = await taskOf(id);
    expect((await api('POST', `/process-instances/${id}/suspend`)).status).toBe(200);
    await sleep(2000);
    expect((await api('GET', `/tasks/${task.id}`)).body).toMatchObject({ escalated: false, assignee: 'dave' });
    expect((await deadlineRows(task.id)).map((row) => row.state)).toEqual(['pending']);
    expect((await api('POST', `/process-instances/${id}/resume`)).status).toBe(200);
    await until('the escalation after resume', async () => (await api('GET', `/tasks/${task.id}`)).body.escalated === true, 10_000);
  });

  it('escalates a Camunda 7 task from camunda:properties the same way', async () => {
    const id = await start('c7-escalation', { clerk: 'dave' });
    const task = await taskOf(id);
    await until('the escalation', async () => (await api('GET', `/tasks/${task.id}`)).body.escalated === true);
    expect((await api('GET', `/tasks/${task.id}`)).body).toMatchObject({ assignee: null, candidateGroups: ['supervisors'] });
  });

  it('a due date passing marks the task overdue, records it and mails the candidates once', async () => {
    const id = await start('overdue', { dueAt: new Date(Date.now() + 1000).toISOString() });
    const task = await taskOf(id);
    expect(task.overdue).toBe(false);
    const overdueMails = await until('overdue notices', async () => {
      const rows = (await notifications(id)).filter((n) => n.reason === 'task-overdue' && n.status === 'sent');
      return rows.length === 2 && rows;
    });
    expect(overdueMails.map((n) => n.template)).toEqual(['task-reminder', 'task-reminder']);
    expect((await api('GET', `/tasks/${task.id}`)).body.overdue).toBe(true);
    const listed = (await api('GET', '/tasks?overdue=true&candidateGroup=reviewers')).body.items as { id: string; overdue: boolean }[];
    expect(listed.find((item) => item.id === task.id)?.overdue).toBe(true);
    expect((await history(id)).filter((event) => event.type === 'task.overdue')).toHaveLength(1);
    expect((await deadlineRows(task.id)).map((row) => [row.state, row.timer.deadline])).toEqual([['fired', 'overdue']]);
  });

  it("a user task's template header mails its own template on creation, to its to/cc, instead of task-offered", async () => {
    const id = await start('own-mail', { orderId: 'B-7', customerEmail: 'cus@example.com', customerName: 'Cus', carrier: 'UPS', trackingUrl: 'https://t.example.com/1' });
    const task = await taskOf(id);
    const mail: ReceivedMail = await smtp.waitFor((m) => m.rcptTo.includes('cus@example.com'));
    expect(mail.header('subject')).toBe('Your order B-7 is running late');
    expect(mail.rcptTo.sort()).toEqual(['cus@example.com', 'sue@example.com']);
    const rows = await notifications(id);
    expect(rows.map((n) => [n.template, n.reason, n.taskId])).toEqual([['late-delivery', 'task-created', task.id]]);
  });

  it('a task that fell to the default group mails nobody', async () => {
    const id = await start('nobody');
    const task = await taskOf(id);
    expect(task.candidateGroups).toEqual(['admin']);
    // The history says whom it was offered to, as the task does.
    expect((await history(id)).find((event) => event.type === 'task.created')?.data).toMatchObject({ taskId: task.id, candidateGroups: ['admin'] });
    // The relay has handled the creation's outbox rows once nothing of this instance is left unpublished.
    await until('the outbox drained', async () => (await db.rows(`SELECT 1 FROM outbox WHERE process_instance_id = $1 AND published_at IS NULL`, [id])).length === 0);
    expect(await notifications(id)).toEqual([]);
  });

  it('order fulfilment: a missing address mails the customer, and the fix-address task escalates to the leads after PT4H', async () => {
    const executor = t.app.get(CommandExecutor);
    const id = await start('order-fulfilment', { orderId: 'C-3', customerEmail: 'carla@example.com', customerName: 'Carla', address: { city: 'Springfield' } });
    const [job] = await db.pendingJobs(id);
    expect(await executor.execute(id, { type: 'throwError', jobKey: job!.key, code: 'address-missing', variables: { addressProblem: 'postal code missing' } })).toBe('applied');
    const task = await taskOf(id);
    expect(task).toMatchObject({ elementId: 'Task_FixAddress', candidateGroups: ['customer-service'] });
    // The model's own creation mail (template header) to the customer.
    const toCustomer = await smtp.waitFor((mail) => mail.rcptTo.includes('carla@example.com'));
    expect(toCustomer.rcptTo).toEqual(['carla@example.com']);
    expect(toCustomer.header('subject')).toBe('We need your delivery address for order C-3');
    expect(toCustomer.text).toContain('postal code missing');
    // Four hours later (the deadline row is moved to now rather than waiting), the leads take over.
    const [deadline] = await db.rows<{ key: string; due_at: Date }>(`SELECT key, due_at FROM timer WHERE task_id = $1 AND state = 'pending'`, [task.id]);
    expect(new Date(deadline!.due_at).getTime() - Date.parse(task.createdAt)).toBe(4 * 3600 * 1000);
    await db.rows(`UPDATE timer SET due_at = now() WHERE key = $1`, [deadline!.key]);
    const toLead = await smtp.waitFor((mail) => mail.rcptTo.includes('lea@example.com'));
    expect(toLead.header('subject')).toBe('Escalated: Fix the delivery address');
    expect((await api('GET', `/tasks/${task.id}`)).body).toMatchObject({ candidateGroups: ['customer-service-leads'], escalated: true, assignee: null });
  });

  it('a deadline fired by two replicas at once acts once', async () => {
    const id = await start('escalate', { owner: 'dave', escalateIn: 'PT1H' });
    const task = await taskOf(id);
    const [row] = await db.rows<{ key: string }>(`SELECT key FROM timer WHERE task_id = $1`, [task.id]);
    const deadlines = t.app.get(TaskDeadlineRepository);
    const outcomes = await Promise.all([deadlines.fire(row!.key, new Date()), deadlines.fire(row!.key, new Date())]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['fired', 'gone']);
    expect((await history(id)).filter((event) => event.type === 'task.escalated')).toHaveLength(1);
    expect((await db.rows(`SELECT 1 FROM outbox WHERE process_instance_id = $1 AND payload->>'reason' = 'task-escalated'`, [id])).length).toBe(1);
  });

  it('refuses a deadline header that is not a duration at deploy time', async () => {
    const bad = taskModel('bad-deadline', 'candidateGroups="reviewers"', { remindAfter: 'tomorrow', escalateAfter: 'PT1H' });
    const response = await http('POST', `${t.url}/api/deployments`, { token: admin, body: bad, headers: { 'content-type': 'application/xml' } });
    expect(response.status).toBe(400);
    const messages = (response.body.details as { message: string }[]).map((d) => d.message).join('\n');
    expect(messages).toContain("header 'remindAfter' value 'tomorrow' is not an ISO-8601 duration");
    expect(messages).toContain("header 'escalateAfter' needs an 'escalateTo' group");
  });
});

describe('TASK_MAILS=off', () => {
  it('sends no task-offered mail but still the reminder the model asks for', async () => {
    const t = await startTestApp({ TASK_MAILS: 'off' });
    try {
      const admin = await t.token('ada', ['admin']);
      const xml = taskModel('quiet', 'candidateGroups="reviewers"', { remindAfter: 'PT1S' });
      expect((await http('POST', `${t.url}/api/deployments`, { token: admin, body: xml, headers: { 'content-type': 'application/xml' } })).status).toBe(201);
      const directory = t.app.get(DirectoryRepository);
      await directory.createGroup({ id: 'reviewers', name: 'Reviewers' });
      await directory.createUser({ id: 'rita', name: 'Rita', email: 'rita@example.com' });
      await directory.addMember('reviewers', 'rita');
      const id = (await http('POST', `${t.url}/api/process-definitions/quiet/start`, { token: admin, json: {} })).body.id as string;
      const reasons = async () => ((await http('GET', `${t.url}/api/notifications?processInstanceId=${id}`, { token: admin })).body.items as { reason: string }[]).map((n) => n.reason);
      await until('the reminder', async () => (await reasons()).includes('task-reminder'));
      expect(await reasons()).toEqual(['task-reminder']);
    } finally {
      await t.close();
    }
  });
});
