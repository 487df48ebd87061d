import { ExpressionProblem } from '../types.js';
import { JuelSyntaxError, Token } from './lexer.js';

/**
 * Recursive-descent parser for the Camunda 7 `${…}` subset: literals, variables, property access,
 * comparisons, boolean logic, arithmetic, `empty`, `?:`. Nothing here can call code: method and
 * function calls are parsed only to be refused by name, at deploy time, with the single exception
 * of `execution.getVariable('name')`, which is just another way to read a variable.
 */

export type BinaryOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'and' | 'or' | '+' | '-' | '*' | '/' | '%';

interface Span {
  from: number;
  to: number;
}

export type JuelNode =
  | ({ type: 'literal'; value: null | boolean | number | string } & Span)
  /** A context variable; reading one that is absent fails, like Camunda 7's PropertyNotFoundException. */
  | ({ type: 'identifier'; name: string } & Span)
  /** `execution.getVariable('x')`: absent reads as null, as in Camunda 7. */
  | ({ type: 'getVariable'; name: string } & Span)
  | ({ type: 'member'; object: JuelNode; property: JuelNode } & Span)
  | ({ type: 'unary'; operator: '-' | 'not' | 'empty'; operand: JuelNode } & Span)
  | ({ type: 'binary'; operator: BinaryOperator; left: JuelNode; right: JuelNode } & Span)
  | ({ type: 'conditional'; test: JuelNode; consequent: JuelNode; alternate: JuelNode } & Span);

const MAX_NESTING = 100;

/** Names that lead from data to JavaScript internals; refused wherever they appear literally. */
export const FORBIDDEN_PROPERTIES = new Set(['__proto__', 'constructor', 'prototype']);

// EL precedence, loosest first; word forms are normalised to the symbol forms.
const BINARY: Record<string, { op: BinaryOperator; prec: number }> = {
  '||': { op: 'or', prec: 1 }, or: { op: 'or', prec: 1 },
  '&&': { op: 'and', prec: 2 }, and: { op: 'and', prec: 2 },
  '==': { op: '==', prec: 3 }, eq: { op: '==', prec: 3 }, '!=': { op: '!=', prec: 3 }, ne: { op: '!=', prec: 3 },
  '<': { op: '<', prec: 4 }, lt: { op: '<', prec: 4 }, '>': { op: '>', prec: 4 }, gt: { op: '>', prec: 4 },
  '<=': { op: '<=', prec: 4 }, le: { op: '<=', prec: 4 }, '>=': { op: '>=', prec: 4 }, ge: { op: '>=', prec: 4 },
  '+': { op: '+', prec: 5 }, '-': { op: '-', prec: 5 },
  '*': { op: '*', prec: 6 }, '/': { op: '/', prec: 6 }, div: { op: '/', prec: 6 }, '%': { op: '%', prec: 6 }, mod: { op: '%', prec: 6 },
};

export interface ParsedJuel {
  ast: JuelNode;
  /** Root variables read, including names read through `execution.getVariable`. */
  variables: Set<string>;
  /** Refusals (calls, forbidden names); syntax errors throw instead, since parsing cannot go on. */
  problems: ExpressionProblem[];
}

/** Parses the tokens of one `${…}` body (ending with its `end` token). */
export function parseJuel(tokens: Token[], source: string): ParsedJuel {
  const parser = new Parser(tokens, source);
  if (parser.peek().type === 'end') {
    const token = parser.peek();
    throw new JuelSyntaxError('empty expression', token.from - 2, token.to);
  }
  const ast = parser.conditional();
  const last = parser.peek();
  if (last.type !== 'end') throw unexpected(last);
  return { ast, variables: parser.variables, problems: parser.problems };
}

class Parser {
  private index = 0;
  private depth = 0;
  readonly variables = new Set<string>();
  readonly problems: ExpressionProblem[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  private isOp(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'op' && token.text === text;
  }

  private expectOp(text: string): Token {
    if (!this.isOp(text)) throw unexpected(this.peek(), `expected '${text}'`);
    return this.next();
  }

  conditional(): JuelNode {
    this.enter();
    try {
      return this.conditionalInner();
    } finally {
      this.depth -= 1;
    }
  }

  /**
   * Parsing and evaluation both recurse; a bounded nesting depth keeps a hostile text from
   * overflowing the stack (and deep nesting is never a real business rule).
   */
  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING) {
      const token = this.peek();
      throw new JuelSyntaxError(`expression is nested too deeply (more than ${MAX_NESTING} levels)`, token.from, token.to);
    }
  }

  private conditionalInner(): JuelNode {
    const test = this.binary(1);
    if (!this.isOp('?')) return test;
    this.next();
    const consequent = this.conditional();
    this.expectOp(':');
    const alternate = this.conditional();
    return { type: 'conditional', test, consequent, alternate, from: test.from, to: alternate.to };
  }

  /** Precedence climbing; every EL binary operator is left-associative. */
  private binary(minPrec: number): JuelNode {
    let left = this.unary();
    let chain = 0;
    for (;;) {
      const token = this.peek();
      if (token.type === 'keyword' && token.text === 'instanceof') throw new JuelSyntaxError("'instanceof' is not supported", token.from, token.to);
      const entry = token.type === 'op' || token.type === 'keyword' ? BINARY[token.text] : undefined;
      if (!entry || entry.prec < minPrec) return left;
      this.next();
      // A long `a + b + c …` chain builds a left-deep tree, as deep for the evaluator as nesting.
      chain += 1;
      if (chain > MAX_NESTING) throw new JuelSyntaxError(`too many operators in a row (more than ${MAX_NESTING})`, token.from, token.to);
      const right = this.binary(entry.prec + 1);
      left = { type: 'binary', operator: entry.op, left, right, from: left.from, to: right.to };
    }
  }

  private unary(): JuelNode {
    const token = this.peek();
    const operator =
      token.type === 'op' && token.text === '-' ? '-'
      : (token.type === 'op' && token.text === '!') || (token.type === 'keyword' && token.text === 'not') ? 'not'
      : token.type === 'keyword' && token.text === 'empty' ? 'empty'
      : null;
    if (!operator) return this.postfix(this.primary());
    this.next();
    this.enter();
    const operand = this.unary();
    this.depth -= 1;
    return { type: 'unary', operator, operand, from: token.from, to: operand.to };
  }

  private primary(): JuelNode {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return { type: 'literal', value: Number(token.text), from: token.from, to: token.to };
      case 'string':
        return { type: 'literal', value: token.text, from: token.from, to: token.to };
      case 'keyword':
        if (token.text === 'true' || token.text === 'false') return { type: 'literal', value: token.text === 'true', from: token.from, to: token.to };
        if (token.text === 'null') return { type: 'literal', value: null, from: token.from, to: token.to };
        if (token.text === 'instanceof') throw new JuelSyntaxError("'instanceof' is not supported", token.from, token.to);
        throw unexpected(token);
      case 'ident':
        return this.identifier(token);
      case 'op':
        if (token.text === '(') {
          const inner = this.conditional();
          const close = this.expectOp(')');
          return { ...inner, from: token.from, to: close.to };
        }
        throw unexpected(token);
      default:
        throw unexpected(token);
    }
  }

  private identifier(token: Token): JuelNode {
    if (token.text === 'execution') return this.execution(token);
    this.refuseForbidden(token.text, token);
    this.variables.add(token.text);
    return { type: 'identifier', name: token.text, from: token.from, to: token.to };
  }

  /** Camunda 7's `execution` object is Java; only its variable getter has a meaning here. */
  private execution(token: Token): JuelNode {
    const method = this.peek(1);
    if (this.isOp('.') && method.type === 'ident' && method.text === 'getVariable' && this.isOp('(', 2)) {
      this.next();
      this.next();
      this.next();
      const argument = this.peek();
      if (argument.type === 'string' && this.isOp(')', 1)) {
        this.next();
        const close = this.next();
        this.refuseForbidden(argument.text, argument);
        this.variables.add(argument.text);
        return { type: 'getVariable', name: argument.text, from: token.from, to: close.to };
      }
      const close = this.skipArguments();
      this.problems.push({
        message: `'${this.source.slice(token.from, close.to)}' is not supported: the variable name must be a string literal`,
        position: { from: token.from, to: close.to },
      });
      return { type: 'literal', value: null, from: token.from, to: close.to };
    }
    if (this.isOp('.') && method.type === 'ident' && this.isOp('(', 2)) {
      // Another execution method: postfix() refuses it as a method call, naming it.
      return { type: 'literal', value: null, from: token.from, to: token.to };
    }
    this.problems.push({
      message: "'execution' is not available in expressions; only execution.getVariable('name') is supported",
      position: { from: token.from, to: token.to },
    });
    return { type: 'literal', value: null, from: token.from, to: token.to };
  }

  private postfix(start: JuelNode): JuelNode {
    let node = start;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.type !== 'ident' && name.type !== 'keyword') throw unexpected(name, 'expected a property name');
        this.refuseForbidden(name.text, name);
        const property: JuelNode = { type: 'literal', value: name.text, from: name.from, to: name.to };
        node = { type: 'member', object: node, property, from: node.from, to: name.to };
      } else if (this.isOp('[')) {
        this.next();
        const property = this.conditional();
        const close = this.expectOp(']');
        if (property.type === 'literal' && typeof property.value === 'string') this.refuseForbidden(property.value, property);
        node = { type: 'member', object: node, property, from: node.from, to: close.to };
      } else if (this.isOp('(')) {
        this.next();
        const close = this.skipArguments();
        const call = this.source.slice(node.from, close.to);
        const kind = node.type === 'member' ? 'method call' : 'function call';
        this.problems.push({
          message: `${kind} '${call}' is not supported: expressions cannot call Java code here (only execution.getVariable('name') is allowed)`,
          position: { from: node.from, to: close.to },
        });
        node = { type: 'literal', value: null, from: node.from, to: close.to };
      } else {
        return node;
      }
    }
  }

  /** Consumes call arguments up to the closing parenthesis, so the whole call can be named. */
  private skipArguments(): Token {
    if (!this.isOp(')')) {
      this.conditional();
      while (this.isOp(',')) {
        this.next();
        this.conditional();
      }
    }
    return this.expectOp(')');
  }

  private refuseForbidden(name: string, span: Span): void {
    if (FORBIDDEN_PROPERTIES.has(name)) {
      this.problems.push({ message: `access to '${name}' is not allowed`, position: { from: span.from, to: span.to } });
    }
  }
}

function unexpected(token: Token, hint?: string): JuelSyntaxError {
  const what = token.type === 'end' ? "'}'" : token.type === 'string' ? 'a string' : `'${token.text}'`;
  const suffix = hint ? ` (${hint})` : '';
  return new JuelSyntaxError(`unexpected ${what}${suffix}`, token.from, token.to);
}
