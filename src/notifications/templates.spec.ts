import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MailTemplates, type TemplateContext, TemplateLoadError, TemplateRenderError } from './templates.js';

const context = (variables: Record<string, unknown> = {}): TemplateContext => ({
  task: { id: 't-1', name: 'Investigate late delivery', elementId: 'Task_Investigate', assignee: null, candidateGroups: ['dispatch'], dueAt: '2025-06-01T10:12:00.000Z', createdAt: '2025-05-31T08:00:00.000Z' },
  process: { id: 'p-1', key: 'order-fulfilment', businessKey: 'A-1001' },
  variables,
  recipient: { email: 'ann@example.com', name: 'Ann', userId: 'ann' },
  links: { task: 'http://flowdesk.test/api/tasks/t-1', inbox: 'http://flowdesk.test/api/tasks' },
});

describe('MailTemplates with the shipped templates/', () => {
  let templates: MailTemplates;
  beforeAll(async () => {
    templates = await MailTemplates.load('templates');
  });

  it('loads the defaults and the process templates', () => {
    expect(templates.names()).toEqual(expect.arrayContaining(['address-missing', 'late-delivery', 'task-assigned', 'task-escalated', 'task-offered', 'task-reminder']));
  });

  it('renders subject, HTML inside the layout (escaped) and the text part (not escaped)', () => {
    const mail = templates.render('late-delivery', context({ orderId: 'A-1001', customerName: 'Jane <Doe> & Co', carrier: 'DHL' }));
    expect(mail.subject).toBe('Your order A-1001 is running late');
    expect(mail.html).toContain('<!DOCTYPE html>');
    expect(mail.html).toContain('<title>Your order A-1001 is running late</title>');
    expect(mail.html).toContain('Dear Jane &lt;Doe&gt; &amp; Co,');
    expect(mail.html).not.toContain('Jane <Doe>');
    expect(mail.html).toContain('This is an automated message');
    expect(mail.text).toContain('Dear Jane <Doe> & Co,');
    expect(mail.text).toContain('with DHL');
    expect(mail.text).toContain('This is an automated message');
  });

  it('renders the task templates with task, process, recipient and links', () => {
    const mail = templates.render('task-offered', context());
    expect(mail.subject).toBe('New task: Investigate late delivery (A-1001)');
    expect(mail.html).toContain('href="http://flowdesk.test/api/tasks/t-1"');
    expect(mail.text).toContain('Hello Ann,');
    expect(mail.text).toContain('Due:      2025-06-01 10:12 UTC');
    expect(templates.render('task-reminder', context()).subject).toBe('Reminder: Investigate late delivery is still open (A-1001)');
    expect(templates.render('task-escalated', context()).text).toContain('escalated to dispatch');
    expect(templates.render('task-assigned', context()).subject).toBe('Assigned to you: Investigate late delivery (A-1001)');
  });

  it('is strict: a variable the template prints but the process lacks fails the render', () => {
    expect(() => templates.render('late-delivery', context({}))).toThrow(TemplateRenderError);
    expect(() => templates.render('late-delivery', context({}))).toThrow(/late-delivery\.hbs.*"orderId" not defined/);
  });

  it('refuses a subject that renders with a line break', () => {
    expect(() => templates.render('late-delivery', context({ orderId: 'A-1\r\nBcc: evil@example.net' }))).toThrow(/subject contains a line break/);
  });

  it('names an unknown template', () => {
    expect(() => templates.render('nope', context())).toThrow(/no mail template 'nope'/);
  });
});

describe('MailTemplates.load problems', () => {
  let dir: string;
  const files = async (entries: Record<string, string>) => {
    for (const [name, content] of Object.entries(entries)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
  };
  const problemsOf = async (required: string[] = []): Promise<string[]> => {
    try {
      await MailTemplates.load(dir, required);
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateLoadError);
      return [...(error as TemplateLoadError).problems];
    }
    throw new Error('expected a TemplateLoadError');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdesk-templates-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every broken file by name at load time, not at render time', async () => {
    await files({
      'ok.hbs': '---\nsubject: Fine {{variables.x}}\n---\n<p>{{variables.x}}</p>\n',
      'broken.hbs': '---\nsubject: Hello\n---\n<p>{{#if variables.x}}unclosed</p>\n',
      'no-front.hbs': '<p>no subject</p>\n',
      'bad-subject.hbs': '---\nsubject: {{#each}}\n---\n<p>x</p>\n',
      'unknown-partial.hbs': '---\nsubject: Hi\n---\n{{> nowhere}}\n',
      'unknown-helper.hbs': '---\nsubject: Hi\n---\n{{shout variables.x}}\n',
      'bad-key.hbs': '---\nsubject: Hi\nfrom: evil@example.net\n---\nx\n',
      'orphan.text.hbs': 'text without html\n',
    });
    const problems = await problemsOf(['task-reminder']);
    const text = problems.join('\n');
    expect(text).toContain(`${join(dir, 'broken.hbs')}: Parse error`);
    expect(text).toContain(`${join(dir, 'no-front.hbs')}: must start with front matter`);
    expect(text).toContain(`${join(dir, 'bad-subject.hbs')} (subject)`);
    expect(text).toContain(`${join(dir, 'unknown-partial.hbs')}:4: unknown partial 'nowhere'`);
    expect(text).toContain(`${join(dir, 'unknown-helper.hbs')}:4: unknown helper 'shout'`);
    expect(text).toContain(`unknown front matter key 'from'`);
    expect(text).toContain(`${join(dir, 'orphan.text.hbs')}: a text part needs its HTML template`);
    expect(text).toContain(`${join(dir, 'task-reminder.hbs')}: missing`);
    expect(text).not.toContain('ok.hbs');
    expect(problems).toHaveLength(8);
  });

  it('reports a broken partial or layout', async () => {
    await files({ 'partials/sig.hbs': '{{#with x}}\n', 'layouts/default.hbs': '<html>{{{body}}}{{> missing}}</html>', 'a.hbs': '---\nsubject: A\n---\n{{> sig}}' });
    const text = (await problemsOf()).join('\n');
    expect(text).toContain(join(dir, 'partials', 'sig.hbs'));
    expect(text).toContain(`${join(dir, 'layouts', 'default.hbs')}:1: unknown partial 'missing'`);
  });

  it('says when the folder is missing', async () => {
    await rm(dir, { recursive: true });
    expect((await problemsOf()).join('\n')).toContain('does not exist');
  });

  it('uses layouts, text layouts and partials, and derives text from HTML when there is no text part', async () => {
    await files({
      'layouts/default.hbs': '<main>{{{body}}}{{> sig}}</main>',
      'layouts/default.text.hbs': '{{body}}\n-- {{> sig}}',
      'partials/sig.hbs': '<em>{{recipient.name}}</em>\n',
      'partials/sig.text.hbs': '{{recipient.name}}\n',
      'hello.hbs': '---\nsubject: "Hi {{recipient.name}}"\n---\n<p>Hello <a href="{{links.task}}">task</a> &amp; more</p>',
      'bare.hbs': '---\nsubject: Bare\nlayout: none\n---\n<p>bare</p>',
    });
    const templates = await MailTemplates.load(dir, []);
    const mail = templates.render('hello', context());
    expect(mail.subject).toBe('Hi Ann');
    expect(mail.html).toBe('<main><p>Hello <a href="http://flowdesk.test/api/tasks/t-1">task</a> &amp; more</p><em>Ann</em></main>');
    expect(mail.text).toBe('Hello task (http://flowdesk.test/api/tasks/t-1) & more\n-- Ann\n');
    expect(templates.render('bare', context()).html).toBe('<p>bare</p>');
  });
});
