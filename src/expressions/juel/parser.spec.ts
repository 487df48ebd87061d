import { compileJuel } from './compile.js';
import { tokenize } from './lexer.js';

function problems(text: string): { message: string; position?: { from: number; to: number } }[] {
  const result = compileJuel(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result.problems;
}

describe('JUEL lexer', () => {
  it('reads tokens up to the closing brace, with strings that contain braces', () => {
    const source = "${a == '}' && b.c >= 1.5e2}tail";
    const { tokens, end } = tokenize(source, 2);
    expect(tokens.map((token) => `${token.type}:${token.text}`)).toEqual([
      'ident:a', 'op:==', 'string:}', 'op:&&', 'ident:b', 'op:.', 'ident:c', 'op:>=', 'number:1.5e2', 'end:}',
    ]);
    expect(source.slice(end)).toBe('tail');
  });

  it.each<[string, string]>([
    ["'it\\'s'", "it's"],
    ['"say \\"hi\\""', 'say "hi"'],
    ["'back\\\\slash'", 'back\\slash'],
    ["'keep \\n'", 'keep \\n'],
  ])('unescapes the EL string %s', (literal, value) => {
    const { tokens } = tokenize(`${literal}}`, 0);
    expect(tokens[0]).toMatchObject({ type: 'string', text: value });
  });
});

describe('JUEL compile', () => {
  it.each<[string, string[]]>([
    ['${x}', ['x']],
    ['${a.b.c > limit}', ['a', 'limit']],
    ["${a['b'][0]}", ['a']],
    ['${a[key]}', ['a', 'key']],
    ['Hello ${first} ${last}!', ['first', 'last']],
    ["${execution.getVariable('approved')}", ['approved']],
    ['${empty list ? fallback : list}', ['fallback', 'list']],
    ['${1 + 2}', []],
    ['\\${not} an expression', []],
  ])('%s reads %j', (text, variables) => {
    const result = compileJuel(text);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.expression.variables).toEqual(variables);
  });

  it.each<[string, RegExp, { from: number; to: number } | null]>([
    ['${}', /column 1: empty expression/, { from: 0, to: 3 }],
    ['${a +}', /^expression syntax error at column 6: unexpected '}'$/, { from: 5, to: 6 }],
    ['${a', /missing '}'/, null],
    ["${'open}", /unterminated string/, null],
    ['${a b}', /unexpected 'b'/, null],
    ['${(a}', /unexpected '}' \(expected '\)'\)/, null],
    ['${a ? b}', /expected ':'/, null],
    ['${a = 1}', /assignment '=' is not supported/, null],
    ['${a += 1}', /'\+=' is not supported/, null],
    ['${a; b}', /unexpected character ';'/, null],
    ['${x -> x}', /unexpected '>'/, null],
    ['${a instanceof b}', /'instanceof' is not supported/, null],
    ['${1abc}', /malformed number/, null],
    ['${a.}', /expected a property name/, null],
    ['ok ${a} then ${b +}', /column 19/, { from: 18, to: 19 }],
  ])('%s is a syntax error', (text, message, position) => {
    const [problem] = problems(text);
    expect(problem.message).toMatch(message);
    if (position) expect(problem.position).toEqual(position);
  });

  it.each<[string, string]>([
    ['${foo.bar()}', "method call 'foo.bar()' is not supported"],
    ["${execution.setVariable('x', 1)}", "method call 'execution.setVariable('x', 1)'"],
    ['${myBean.check(order, 3)}', "method call 'myBean.check(order, 3)'"],
    ["${a['b']()}", "method call 'a['b']()'"],
    ['${now()}', "function call 'now()' is not supported"],
    ['${list.size() > 0}', "method call 'list.size()'"],
    ['${fn:upper(x)}', "unexpected ':'"],
    ['${execution.processBusinessKey}', "'execution' is not available"],
    ['${execution.getVariable(name)}', 'the variable name must be a string literal'],
    ['${x.constructor}', "access to 'constructor' is not allowed"],
    ["${x['__proto__']}", "access to '__proto__' is not allowed"],
    ['${x.prototype}', "access to 'prototype' is not allowed"],
    ['${constructor}', "access to 'constructor' is not allowed"],
    ["${execution.getVariable('__proto__')}", "access to '__proto__' is not allowed"],
  ])('%s is refused', (text, message) => {
    expect(problems(text)[0].message).toContain(message);
  });

  it('names the call exactly as written and where it is', () => {
    const [problem] = problems('Total: ${order.total(  )}');
    expect(problem.message).toContain("'order.total(  )'");
    expect(problem.position).toEqual({ from: 9, to: 24 });
  });

  it('reports every refusal in a template at once', () => {
    expect(problems('${a.b()} and ${c.constructor}').map((problem) => problem.message)).toEqual([
      expect.stringContaining("method call 'a.b()'"),
      expect.stringContaining("access to 'constructor'"),
    ]);
  });

  it.each(['${' + '('.repeat(150) + '1' + ')'.repeat(150) + '}', '${' + '!'.repeat(150) + 'x}', '${1' + ' + 1'.repeat(150) + '}'])(
    'refuses pathological nesting instead of overflowing the stack (%#)',
    (text) => {
      expect(problems(text)[0].message).toMatch(/nested too deeply|too many operators/);
    },
  );
});
