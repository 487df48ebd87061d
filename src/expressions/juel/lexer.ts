/**
 * Tokenizer for the Camunda 7 `${…}` subset. Positions are offsets into the whole source text, so
 * messages point at the right column of what the modeller wrote.
 */

export type TokenType = 'number' | 'string' | 'ident' | 'keyword' | 'op' | 'end';

export interface Token {
  type: TokenType;
  /** Operator or keyword text, identifier name, string value (unescaped) or number text. */
  text: string;
  from: number;
  to: number;
}

export class JuelSyntaxError extends Error {
  constructor(
    message: string,
    readonly from: number,
    readonly to: number,
  ) {
    super(message);
  }
}

/** EL reserved words. `instanceof` is reserved so it can be refused by name rather than misread. */
export const KEYWORDS = new Set([
  'true', 'false', 'null', 'and', 'or', 'not', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'div', 'mod', 'empty', 'instanceof',
]);

// Longest first, so `<=` wins over `<`.
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':', '.', ',', '(', ')', '[', ']', '}'];

const IDENT_START = /[\p{L}_$]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;

/**
 * Reads tokens of one `${…}` body starting at `start`, up to and including the closing `}` (an
 * `end` token). Strings may contain `}`; the lexer, not a brace count, decides where the
 * expression ends.
 */
export function tokenize(source: string, start: number): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    if (c === '}') {
      tokens.push({ type: 'end', text: '}', from: i, to: i + 1 });
      return { tokens, end: i + 1 };
    }
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1]))) {
      const token = readNumber(source, i);
      tokens.push(token);
      i = token.to;
      continue;
    }
    if (c === "'" || c === '"') {
      const token = readString(source, i);
      tokens.push(token);
      i = token.to;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j])) j += 1;
      const text = source.slice(i, j);
      tokens.push({ type: KEYWORDS.has(text) ? 'keyword' : 'ident', text, from: i, to: j });
      i = j;
      continue;
    }
    if (c === '=' && source[i + 1] !== '=') {
      throw new JuelSyntaxError("assignment '=' is not supported (use '==' to compare)", i, i + 1);
    }
    if (c === '+' && source[i + 1] === '=') {
      throw new JuelSyntaxError("string concatenation '+=' is not supported", i, i + 2);
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new JuelSyntaxError(`unexpected character '${c}'`, i, i + 1);
    tokens.push({ type: 'op', text: op, from: i, to: i + op.length });
    i += op.length;
  }
  throw new JuelSyntaxError("missing '}' to close the expression", source.length, source.length);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** EL numbers: `12`, `1.5`, `.5`, `1e3`, `2.5E-3`. */
function readNumber(source: string, i: number): Token {
  const match = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
  const text = match ? match[0] : source[i];
  const end = i + text.length;
  if (IDENT_PART.test(source[end] ?? '')) {
    throw new JuelSyntaxError(`malformed number '${source.slice(i, end + 1)}'`, i, end + 1);
  }
  return { type: 'number', text, from: i, to: end };
}

/** EL strings only know `\\`, `\'` and `\"` as escapes; anything else after `\` stays literal. */
function readString(source: string, i: number): Token {
  const quote = source[i];
  let value = '';
  let j = i + 1;
  while (j < source.length) {
    const c = source[j];
    if (c === '\\' && (source[j + 1] === '\\' || source[j + 1] === "'" || source[j + 1] === '"')) {
      value += source[j + 1];
      j += 2;
    } else if (c === quote) {
      return { type: 'string', text: value, from: i, to: j + 1 };
    } else {
      value += c;
      j += 1;
    }
  }
  throw new JuelSyntaxError('unterminated string', i, source.length);
}
