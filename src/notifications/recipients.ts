// Recipients, strictly. A recipient string that reaches nodemailer with a CR/LF or a comma in it can
// add recipients or headers (DESIGN.md), so every address is parsed here into { address, name }
// with a deliberately narrow grammar and handed on as an object, never as header text.
// Pure: no I/O; directory lookups happen in the MailService.
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { compileCached } from '../expressions/index.js';
import { describeType } from '../expressions/plain-data.js';

/**
 * Who a mail goes to, as callers name it:
 * - `"jane@example.com"` or `"Jane Doe <jane@example.com>"`: one literal address (never a list);
 * - `"group:<name>"`: every member of the directory group that has an e-mail address;
 * - `"user:<id>"`, or a bare user id (no `@`): that directory user's e-mail address;
 * - or the same as objects: `{ address, name? }`, `{ user }`, `{ group }`.
 */
export type Recipient = string | { readonly address: string; readonly name?: string } | { readonly user: string } | { readonly group: string };

/** A recipient after classification, before the directory is asked. */
export type RecipientSpec =
  | { readonly kind: 'address'; readonly mailbox: Mailbox }
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'group'; readonly name: string };

export interface Mailbox {
  readonly address: string;
  readonly name?: string;
}

/** A recipient that must not be used; the whole mail is refused with this reason. */
export class RecipientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipientError';
  }
}

const MAX_RECIPIENT_TEXT = 320;
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
const MAX_NAME = 100;
const MAX_ID = 200;
/** C0 controls (CR, LF, TAB, NUL…), DEL, C1 controls, and the Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** RFC 5321 dot-atom local part, ASCII only (no quoted strings, no comments). */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
/** Display names: letters, marks, digits, spaces and . ' - only (no quotes, commas, brackets, colons, @). */
const DISPLAY_NAME = /^[\p{L}\p{M}\p{N} .'-]+$/u;
/** Directory ids and group names: printable, no spaces, no separators that could be read as lists. */
const DIRECTORY_ID = /^[^\s,;<>"]+$/u;

/** Shows a refused value safely in an error message (control characters made visible, length capped). */
export function shown(value: string): string {
  const escaped = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return escaped;
}

/**
 * Parses exactly one mailbox: `local@domain` or `Display Name <local@domain>` (the name may be in
 * double quotes). Refuses control characters (CR/LF above all), more than one address, groups,
 * comments, quoted local parts and display names with anything but letters, digits, spaces and
 * `.'-`. The domain may be internationalised (converted to punycode).
 */
export function parseMailbox(text: string): Mailbox {
  if (typeof text !== 'string') throw new RecipientError(`an address must be text, got ${describeType(text)}`);
  if (CONTROL.test(text)) throw new RecipientError(`address ${shown(text)} contains a line break or control character`);
  if (text.length > MAX_RECIPIENT_TEXT) throw new RecipientError(`address ${shown(text)} is longer than ${MAX_RECIPIENT_TEXT} characters`);
  const trimmed = text.trim();
  let name: string | undefined;
  let address: string;
  const angle = /^(.*?)\s*<([^<>]*)>$/s.exec(trimmed);
  if (angle) {
    const rawName = angle[1]!.trim();
    address = angle[2]!.trim();
    if (rawName !== '') name = displayName(rawName, text);
  } else {
    address = trimmed;
  }
  const mailbox = validateAddress(address, name, text);
  // Belt and braces: nodemailer's own parser must read the same single mailbox from the text.
  const parsed = addressparser(trimmed);
  if (parsed.length !== 1 || parsed[0]!.group !== undefined || (parsed[0]!.address ?? '').toLowerCase() !== address.toLowerCase()) {
    throw new RecipientError(`address ${shown(text)} does not read as exactly one mailbox`);
  }
  return mailbox;
}

/** Validates an address (and optional display name) given separately, e.g. from the directory or `{ address, name }`. */
export function validateAddress(address: string, name?: string, original: string = address): Mailbox {
  if (typeof address !== 'string' || address === '') throw new RecipientError(`empty address`);
  if (CONTROL.test(address) || (name !== undefined && CONTROL.test(name))) {
    throw new RecipientError(`address ${shown(original)} contains a line break or control character`);
  }
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.indexOf('@') !== at) {
    throw new RecipientError(`${shown(original)} is not a single e-mail address (expected local@domain)`);
  }
  const local = address.slice(0, at);
  const domain = domainToASCII(address.slice(at + 1));
  if (local.length > MAX_LOCAL || !LOCAL_PART.test(local)) throw new RecipientError(`${shown(original)} has an invalid local part`);
  const labels = domain.split('.');
  if (domain === '' || !labels.every((label) => DOMAIN_LABEL.test(label))) throw new RecipientError(`${shown(original)} has an invalid domain`);
  const normalised = `${local}@${domain.toLowerCase()}`;
  if (normalised.length > MAX_ADDRESS) throw new RecipientError(`${shown(original)} is longer than ${MAX_ADDRESS} characters`);
  const checkedName = name === undefined ? undefined : displayName(name, original);
  return checkedName === undefined ? { address: normalised } : { address: normalised, name: checkedName };
}

function displayName(raw: string, original: string): string {
  let name = raw.trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).trim();
  if (name === '') throw new RecipientError(`address ${shown(original)} has an empty display name`);
  if (name.length > MAX_NAME || !DISPLAY_NAME.test(name)) {
    throw new RecipientError(`address ${shown(original)} has a display name with characters other than letters, digits, spaces and . ' -`);
  }
  return name.replace(/\s+/g, ' ');
}

function directoryId(value: string, what: 'user' | 'group', original: string): string {
  const id = value.trim();
  if (id === '' || id.length > MAX_ID || CONTROL.test(id) || !DIRECTORY_ID.test(id)) {
    throw new RecipientError(`${what} ${shown(original)} is not a valid ${what} id`);
  }
  return id;
}

/**
 * What one recipient means. A string is never split: a comma in a value is refused, not read as a
 * second recipient, so a variable like `customerEmail` can only ever name one mailbox.
 */
export function classifyRecipient(recipient: Recipient): RecipientSpec {
  if (typeof recipient === 'string') {
    if (CONTROL.test(recipient)) throw new RecipientError(`recipient ${shown(recipient)} contains a line break or control character`);
    const text = recipient.trim();
    const prefixed = /^(group|user):(.*)$/s.exec(text);
    if (prefixed) {
      return prefixed[1] === 'group'
        ? { kind: 'group', name: directoryId(prefixed[2]!, 'group', recipient) }
        : { kind: 'user', id: directoryId(prefixed[2]!, 'user', recipient) };
    }
    if (text.includes('@') || text.includes('<')) return { kind: 'address', mailbox: parseMailbox(text) };
    return { kind: 'user', id: directoryId(text, 'user', recipient) };
  }
  if (recipient === null || typeof recipient !== 'object') throw new RecipientError(`a recipient must be text or an object, got ${describeType(recipient)}`);
  if ('address' in recipient && typeof recipient.address === 'string') {
    if (recipient.name !== undefined && typeof recipient.name !== 'string') throw new RecipientError('a recipient name must be text');
    return { kind: 'address', mailbox: validateAddress(recipient.address.trim(), recipient.name) };
  }
  if ('user' in recipient && typeof recipient.user === 'string') return { kind: 'user', id: directoryId(recipient.user, 'user', recipient.user) };
  if ('group' in recipient && typeof recipient.group === 'string') return { kind: 'group', name: directoryId(recipient.group, 'group', recipient.group) };
  throw new RecipientError('a recipient object needs `address`, `user` or `group`');
}

/**
 * The `to` / `cc` header of a send or user task, as recipients:
 * - an expression (`=…` FEEL, `${…}`) is evaluated against the variables; it must give one
 *   recipient or a list: e-mail addresses as text (each exactly one mailbox, never split), or
 *   `{group: "…"}` / `{user: "…"}` contexts for the directory;
 * - literal text written by the modeller may list several recipients separated by `,` or `;`,
 *   including `group:<name>` and user ids.
 */
export function recipientsFromHeader(header: string | undefined, variables: Readonly<Record<string, unknown>>, headerName = 'to'): Recipient[] {
  if (header === undefined || header.trim() === '') return [];
  const compiled = compileCached(header);
  if (!compiled.ok) throw new RecipientError(`the '${headerName}' header does not compile: ${compiled.problems.map((p) => p.message).join('; ')}`);
  const expression = compiled.expression;
  if (expression.kind === 'literal') {
    return header
      .split(/[,;]/)
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }
  const context: Record<string, unknown> = {};
  for (const name of expression.variables) if (Object.prototype.hasOwnProperty.call(variables, name)) context[name] = variables[name];
  const result = expression.evaluate(context);
  if (!result.ok) throw new RecipientError(`the '${headerName}' header failed: ${result.message}`);
  const value = result.value;
  const values = Array.isArray(value) ? value : [value];
  if (value === null || value === undefined) {
    // No cc is a normal case; no `to` is a model or data error worth reporting.
    if (headerName === 'cc') return [];
    const why = result.warnings && result.warnings.length > 0 ? ` (${result.warnings.join('; ')})` : '';
    throw new RecipientError(`the '${headerName}' header '${header.trim()}' gave null${why}`);
  }
  return values.map((item) => expressionRecipient(item, header.trim(), headerName));
}

/**
 * Whether a `group:`/`user:` text stands in the header itself as a quoted literal: the modeller
 * wrote it, no variable carried it. Bare words never count (a variable holding `admin` could
 * match a quoted comparison operand and be read as a user id).
 */
function writtenInHeader(text: string, header: string): boolean {
  if (!/^(group|user):/.test(text.trim())) return false;
  return header.includes(`"${text}"`) || header.includes(`'${text}'`);
}

/**
 * One value an expression gave. Text from a variable must be an e-mail address: variables often
 * carry what a customer typed, and `group:admin` typed into a shop's e-mail field must not mail the
 * admins. Directory recipients come from the model itself: quoted in the expression
 * (`=if vip then "group:vip" else "group:sales"`), or as FEEL contexts `{group: "dispatch"}` /
 * `{user: "bob"}` (a string variable can never become one).
 */
function expressionRecipient(item: unknown, header: string, headerName: string): Recipient {
  if (typeof item === 'string') {
    const text = item.trim();
    if ((!text.includes('@') || /^(group|user):/i.test(text)) && !writtenInHeader(item, header)) {
      throw new RecipientError(
        `the '${headerName}' header '${header}' gave ${shown(item)}, which is not an e-mail address; an expression names directory recipients as {group: "…"} or {user: "…"}`,
      );
    }
    return item;
  }
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const entries = Object.entries(item as Record<string, unknown>);
    if (entries.length === 1 && (entries[0]![0] === 'group' || entries[0]![0] === 'user') && typeof entries[0]![1] === 'string') {
      return entries[0]![0] === 'group' ? { group: entries[0]![1] } : { user: entries[0]![1] };
    }
    if (typeof (item as { address?: unknown }).address === 'string') {
      const { address, name } = item as { address: string; name?: unknown };
      return name === undefined ? { address } : { address, name: name as string };
    }
  }
  throw new RecipientError(`the '${headerName}' header '${header}' gave a ${describeType(item)}; expected e-mail addresses, {group: "…"} or {user: "…"}, or a list of them`);
}
