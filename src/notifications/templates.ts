// Mail templates: `<dir>/<name>.hbs` (front matter with the subject, then the HTML body), an
// optional `<dir>/<name>.text.hbs`, layouts in `<dir>/layouts/` and partials in `<dir>/partials/`.
// Everything is parsed, checked and compiled when the service starts, so a broken template stops
// start-up with its file name instead of failing a mail hours later. No Nest here: the registry
// (template-registry.ts) wraps it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { htmlToText } from './html-to-text.js';

/** What every template sees (plain JSON: no functions, no class instances). */
export interface TemplateContext {
  readonly task: Readonly<Record<string, unknown>> | null;
  readonly process: { readonly id: string; readonly key: string; readonly businessKey: string | null } | null;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly recipient: { readonly email: string | null; readonly name: string | null; readonly userId: string | null };
  readonly links: Readonly<Record<string, string>>;
}

export interface RenderedMail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** The templates Flowdesk itself sends (task notifications); start-up refuses a folder without them. */
export const REQUIRED_TEMPLATES = ['task-offered', 'task-assigned', 'task-reminder', 'task-escalated'] as const;

/** One or more template files are broken; each problem names its file. */
export class TemplateLoadError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid mail templates:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TemplateLoadError';
  }
}

/** Rendering one mail failed (a missing variable in strict mode, a subject with a line break…). */
export class TemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const MAX_FILE_BYTES = 256 * 1024;
const MAX_SUBJECT = 500;
const FRONT_MATTER_KEYS = new Set(['subject', 'layout']);
/** Strict: a missing field in `{{ }}` output throws (a mail saying "order  is late" is worse than a failed one). */
const HTML_OPTIONS: CompileOptions = { strict: true, noEscape: false };
/** Text parts and subjects are not HTML: no escaping (nodemailer encodes headers and bodies). */
const TEXT_OPTIONS: CompileOptions = { strict: true, noEscape: true };

type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
type Compiled = Handlebars.TemplateDelegate;
type Env = typeof Handlebars;
/** The compile options of each environment (HTML: escaping; text: none). */
const ENV_OPTIONS = new WeakMap<object, CompileOptions>();

interface MailTemplate {
  readonly name: string;
  readonly file: string;
  readonly subject: Compiled;
  readonly html: Compiled;
  readonly text: Compiled | null;
  readonly layout: string | null;
}

interface Layout {
  readonly html: Compiled;
  readonly text: Compiled | null;
}

export class MailTemplates {
  private constructor(
    readonly dir: string,
    private readonly templates: ReadonlyMap<string, MailTemplate>,
    private readonly layouts: ReadonlyMap<string, Layout>,
  ) {}

  /** Reads, checks and compiles every template under `dir`; throws TemplateLoadError listing every problem. */
  static async load(dir: string, required: readonly string[] = REQUIRED_TEMPLATES): Promise<MailTemplates> {
    const problems: string[] = [];
    const html = newEnv(HTML_OPTIONS);
    const text = newEnv(TEXT_OPTIONS);
    const files = await listFiles(dir, problems);

    // Partials first: templates and layouts are checked against them.
    for (const file of files.partials) {
      const source = await readSource(join(dir, 'partials', file), problems);
      if (source === null) continue;
      const { base, textPart } = splitName(file);
      if (!NAME.test(base)) {
        problems.push(`${join(dir, 'partials', file)}: a partial name may hold letters, digits, '-' and '_' only`);
        continue;
      }
      const env = textPart ? text : html;
      // Editors end files with a newline; inside a sentence or a subject it would be a line break.
      env.registerPartial(base, source.replace(/\n$/, ''));
    }
    const partialNames = { html: new Set(Object.keys(html.partials)), text: new Set(Object.keys(text.partials)) };
    for (const file of files.partials) {
      const { base, textPart } = splitName(file);
      if (!NAME.test(base)) continue;
      const env = textPart ? text : html;
      const compiled = compileChecked(env, env.partials[base] as string, join(dir, 'partials', file), textPart ? partialNames.text : partialNames.html, problems);
      if (compiled) env.registerPartial(base, compiled);
    }

    const layouts = new Map<string, Layout>();
    for (const file of files.layouts.filter((f) => !f.endsWith('.text.hbs'))) {
      const base = file.slice(0, -'.hbs'.length);
      const source = await readSource(join(dir, 'layouts', file), problems);
      if (source === null) continue;
      const layoutHtml = compileChecked(html, source, join(dir, 'layouts', file), partialNames.html, problems);
      let layoutText: Compiled | null = null;
      if (files.layouts.includes(`${base}.text.hbs`)) {
        const textSource = await readSource(join(dir, 'layouts', `${base}.text.hbs`), problems);
        if (textSource !== null) layoutText = compileChecked(text, textSource, join(dir, 'layouts', `${base}.text.hbs`), partialNames.text, problems);
      }
      if (layoutHtml) layouts.set(base, { html: layoutHtml, text: layoutText });
    }
    for (const file of files.layouts.filter((f) => f.endsWith('.text.hbs'))) {
      if (!files.layouts.includes(file.replace(/\.text\.hbs$/, '.hbs'))) problems.push(`${join(dir, 'layouts', file)}: a text layout needs its HTML layout ${file.replace(/\.text\.hbs$/, '.hbs')}`);
    }

    const templates = new Map<string, MailTemplate>();
    for (const file of files.templates) {
      const path = join(dir, file);
      const { base, textPart } = splitName(file);
      if (!NAME.test(base)) {
        problems.push(`${path}: a template name may hold letters, digits, '-' and '_' only`);
        continue;
      }
      if (textPart) {
        if (!files.templates.includes(`${base}.hbs`)) problems.push(`${path}: a text part needs its HTML template ${base}.hbs (with the subject)`);
        continue;
      }
      const source = await readSource(path, problems);
      if (source === null) continue;
      const front = frontMatter(source, path, problems);
      if (!front) continue;
      // `layout: none` opts out; no layout named → `default` when the folder has one.
      const layout = front.layout === 'none' ? null : (front.layout ?? (layouts.has('default') ? 'default' : null));
      if (layout !== null && !layouts.has(layout)) {
        problems.push(`${path}: layout '${layout}' not found in ${join(dir, 'layouts')}`);
        continue;
      }
      const subject = compileChecked(text, front.subject, `${path} (subject)`, partialNames.text, problems);
      const body = compileChecked(html, front.body, path, partialNames.html, problems);
      let textBody: Compiled | null = null;
      if (files.templates.includes(`${base}.text.hbs`)) {
        const textPath = join(dir, `${base}.text.hbs`);
        const textSource = await readSource(textPath, problems);
        if (textSource !== null) textBody = compileChecked(text, textSource, textPath, partialNames.text, problems);
      }
      if (subject && body) templates.set(base, { name: base, file: path, subject, html: body, text: textBody, layout });
    }
    for (const name of required) {
      if (!templates.has(name) && !problems.some((p) => p.startsWith(join(dir, `${name}.hbs`)))) {
        problems.push(`${join(dir, `${name}.hbs`)}: missing; Flowdesk sends this template itself`);
      }
    }
    if (problems.length > 0) throw new TemplateLoadError(problems);
    return new MailTemplates(dir, templates, layouts);
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  /** Renders subject, HTML (inside its layout) and text. Throws TemplateRenderError. */
  render(name: string, context: TemplateContext): RenderedMail {
    const template = this.templates.get(name);
    if (!template) throw new TemplateRenderError(`no mail template '${name}' (expected ${join(this.dir, `${name}.hbs`)})`);
    // Plain JSON only: no functions, prototypes or Dates reach Handlebars.
    const data = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
    const subject = run(template.subject, data, `${template.file} (subject)`).trim();
    if (/[\r\n\u2028\u2029]/.test(subject)) throw new TemplateRenderError(`${template.file}: the rendered subject contains a line break`);
    if (/[\u0000-\u001f\u007f]/.test(subject)) throw new TemplateRenderError(`${template.file}: the rendered subject contains a control character`);
    if (subject === '') throw new TemplateRenderError(`${template.file}: the rendered subject is empty`);
    if (subject.length > MAX_SUBJECT) throw new TemplateRenderError(`${template.file}: the rendered subject is longer than ${MAX_SUBJECT} characters`);
    const body = run(template.html, data, template.file).replace(/^\n+/, '');
    let text = template.text ? run(template.text, data, template.file.replace(/\.hbs$/, '.text.hbs')) : htmlToText(body);
    let html = body;
    const layout = template.layout === null ? null : this.layouts.get(template.layout)!;
    if (layout) {
      const layoutFile = join(this.dir, 'layouts', `${template.layout}.hbs`);
      html = run(layout.html, { ...data, subject, body }, layoutFile);
      if (layout.text) text = run(layout.text, { ...data, subject, body: text.trim() }, layoutFile.replace(/\.hbs$/, '.text.hbs'));
    }
    return { subject, html, text: text.trim() + '\n' };
  }
}

function newEnv(options: CompileOptions): Env {
  const env = Handlebars.create();
  env.registerHelper('formatDate', function (this: unknown, value: unknown, ...rest: unknown[]) {
    const style = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : 'datetime';
    return formatDate(value, style);
  });
  ENV_OPTIONS.set(env, options);
  return env;
}

/** `2025-06-01 10:12 UTC` (datetime, default) or `2025-06-01` (date); '' for no value. */
export function formatDate(value: unknown, style = 'datetime'): string {
  if (value === null || value === undefined || value === '') return '';
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  const iso = date.toISOString();
  return style === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function run(template: Compiled, data: unknown, file: string): string {
  try {
    return template(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (error) {
    throw new TemplateRenderError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function splitName(file: string): { base: string; textPart: boolean } {
  if (file.endsWith('.text.hbs')) return { base: file.slice(0, -'.text.hbs'.length), textPart: true };
  return { base: file.slice(0, -'.hbs'.length), textPart: false };
}

async function listFiles(dir: string, problems: string[]): Promise<{ templates: string[]; layouts: string[]; partials: string[] }> {
  const empty = { templates: [], layouts: [], partials: [] };
  try {
    if (!(await stat(dir)).isDirectory()) {
      problems.push(`${dir}: not a directory (TEMPLATES_DIR)`);
      return empty;
    }
  } catch {
    problems.push(`${dir}: the templates directory does not exist (TEMPLATES_DIR)`);
    return empty;
  }
  const hbs = async (sub: string): Promise<string[]> => {
    try {
      const entries = await readdir(join(dir, sub), { withFileTypes: true });
      return entries.filter((e) => e.isFile() && e.name.endsWith('.hbs')).map((e) => e.name).sort();
    } catch {
      return [];
    }
  };
  return { templates: await hbs('.'), layouts: await hbs('layouts'), partials: await hbs('partials') };
}

async function readSource(path: string, problems: string[]): Promise<string | null> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_FILE_BYTES) {
      problems.push(`${path}: larger than ${MAX_FILE_BYTES} bytes`);
      return null;
    }
    return bytes.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  } catch (error) {
    problems.push(`${path}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
}

/** `---` / `subject: …` / (`layout: …`) / `---`, then the body. */
function frontMatter(source: string, path: string, problems: string[]): { subject: string; layout: string | undefined; body: string } | null {
  const lines = source.split('\n');
  if (lines[0]?.trim() !== '---') {
    problems.push(`${path}: must start with front matter ('---', 'subject: …', '---')`);
    return null;
  }
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  if (end < 0) {
    problems.push(`${path}: the front matter is not closed with '---'`);
    return null;
  }
  const fields: Record<string, string> = {};
  let ok = true;
  for (let i = 1; i < end; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (!match) {
      problems.push(`${path}:${i + 1}: front matter lines are 'key: value'`);
      ok = false;
      continue;
    }
    const key = match[1]!;
    let value = match[2]!;
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1);
    if (!FRONT_MATTER_KEYS.has(key)) {
      problems.push(`${path}:${i + 1}: unknown front matter key '${key}' (expected subject, layout)`);
      ok = false;
    } else if (key in fields) {
      problems.push(`${path}:${i + 1}: '${key}' is given twice`);
      ok = false;
    } else fields[key] = value;
  }
  if (fields.subject === undefined || fields.subject.trim() === '') {
    problems.push(`${path}: the front matter has no subject`);
    ok = false;
  }
  if (!ok) return null;
  // Blank lines in place of the front matter keep line numbers in errors equal to the file's
  // (render() drops them again).
  const body = '\n'.repeat(end + 1) + lines.slice(end + 1).join('\n');
  return { subject: fields.subject!, layout: fields.layout, body };
}

/**
 * Parses, checks and compiles one source. Handlebars compiles lazily (on first render), so the
 * source is also precompiled here: that is what turns a broken template into a start-up error.
 * The AST is walked for partials that do not exist and helpers called with arguments that do not
 * exist, which Handlebars would only report when a mail is rendered.
 */
function compileChecked(env: Env, source: string, file: string, partials: ReadonlySet<string>, problems: string[]): Compiled | null {
  const options = ENV_OPTIONS.get(env) ?? HTML_OPTIONS;
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
    env.precompile(source, options);
  } catch (error) {
    problems.push(`${file}: ${(error instanceof Error ? error.message : String(error)).replace(/\n+/g, ' ')}`);
    return null;
  }
  const before = problems.length;
  checkAst(ast, new Set(Object.keys(env.helpers)), partials, file, problems);
  if (problems.length > before) return null;
  return env.compile(source, options);
}

interface AstNode {
  type: string;
  loc?: { start: { line: number } };
  [key: string]: unknown;
}

function checkAst(root: hbs.AST.Program, helpers: ReadonlySet<string>, partials: ReadonlySet<string>, file: string, problems: string[]): void {
  const at = (node: AstNode) => (node.loc ? `${file}:${node.loc.start.line}` : file);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as AstNode;
    switch (node.type) {
      case 'MustacheStatement':
      case 'BlockStatement':
      case 'SubExpression':
      case 'DecoratorBlock':
      case 'Decorator': {
        const path = node.path as AstNode & { data?: boolean; depth?: number; parts?: string[]; original?: string };
        const params = (node.params as unknown[] | undefined) ?? [];
        if ((params.length > 0 || node.hash) && path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts?.length === 1) {
          if (!helpers.has(path.original!)) problems.push(`${at(node)}: unknown helper '${path.original}'`);
        }
        visit(node.path);
        visit(params);
        visit(node.hash);
        visit(node.program);
        visit(node.inverse);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const name = node.name as AstNode & { original?: string; value?: unknown };
        const partial = name.type === 'PathExpression' ? name.original : name.type === 'StringLiteral' ? String(name.value) : null;
        if (partial !== null && partial !== undefined && partial !== '@partial-block' && !partials.has(partial)) {
          problems.push(`${at(node)}: unknown partial '${partial}'`);
        }
        visit(node.params);
        visit(node.hash);
        visit(node.program);
        return;
      }
      case 'Program':
        visit(node.body);
        return;
      case 'Hash':
        for (const pair of (node.pairs as { value: unknown }[]) ?? []) visit(pair.value);
        return;
      default:
        return;
    }
  };
  visit(root);
}
