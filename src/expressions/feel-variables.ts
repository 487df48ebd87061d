import { children, FeelNode, nameOf } from './feel-tree.js';

/**
 * Root variable names a FEEL expression reads, so callers can pass only those (feelin copies and
 * scans the whole context on every call). Over-approximating is harmless (an extra name is just
 * absent from the context); missing one would make a present variable look null, so anything the
 * walk is unsure about counts as a variable. Only names bound inside the expression itself
 * (`for`/`some`/`every` iterators, `partial`, function parameters, earlier keys of a context
 * literal) and built-in functions in call position are left out.
 */
export function collectFeelVariables(root: FeelNode, body: string): string[] {
  const found = new Set<string>();
  visit(root, new Set(), body, found);
  return [...found].sort();
}

/**
 * feelin's built-ins. A variable of the same name wins over a built-in in feelin, so a name is
 * skipped only in call position (`count(xs)`), never when it is read as a value.
 */
const BUILTIN_FUNCTIONS = new Set(
  (
    'number|string|date|date and time|time|duration|years and months duration|@|now|today|not|substring|' +
    'string length|upper case|lower case|substring before|substring after|replace|contains|matches|' +
    'starts with|ends with|split|string join|list contains|list replace|count|min|max|sum|mean|all|any|' +
    'sublist|append|concatenate|insert before|remove|reverse|index of|union|distinct values|flatten|' +
    'product|median|stddev|mode|decimal|floor|ceiling|abs|round up|round down|round half up|' +
    'round half down|modulo|sqrt|log|exp|odd|even|is|before|after|meets|met by|overlaps|overlaps before|' +
    'overlaps after|finishes|finished by|includes|during|starts|started by|coincides|day of year|' +
    'day of week|month of year|week of year|sort|get value|get entries|context|context merge|context put'
  ).split('|'),
);

function visit(node: FeelNode, bound: ReadonlySet<string>, body: string, found: Set<string>): void {
  switch (node.name) {
    case 'VariableName': {
      const name = nameOf(node, body);
      if (!bound.has(name)) found.add(name);
      return;
    }
    case 'Type':
      return; // `instance of string`, typed parameters: type names, not variables
    case 'FunctionInvocation': {
      const [callee, ...rest] = children(node);
      if (!(callee?.name === 'VariableName' && isBuiltinCall(callee, bound, body)) && callee) {
        visit(callee, bound, body, found);
      }
      for (const child of rest) visit(child, bound, body, found);
      return;
    }
    case 'ForExpression':
    case 'QuantifiedExpression': {
      const scope = new Set(bound);
      for (const child of children(node)) {
        if (child.name === 'InExpressions') {
          // `for i in xs, j in i.items`: each iterator is visible to the ones after it.
          for (const inExpr of children(child)) {
            for (const part of children(inExpr)) {
              if (part.name === 'Name') continue;
              visit(part, scope, body, found);
            }
            const iterator = children(inExpr).find((part) => part.name === 'Name');
            if (iterator) scope.add(nameOf(iterator, body));
          }
          if (node.name === 'ForExpression') scope.add('partial'); // the results so far, FEEL 1.3
        } else {
          visit(child, scope, body, found);
        }
      }
      return;
    }
    case 'FunctionDefinition': {
      const scope = new Set(bound);
      const all = children(node);
      for (const params of all.filter((child) => child.name === 'FormalParameters')) {
        for (const param of children(params)) {
          const paramName = children(param).find((part) => part.name === 'ParameterName');
          if (paramName) scope.add(nameOf(paramName, body));
        }
      }
      for (const child of all) {
        if (child.name !== 'FormalParameters') visit(child, scope, body, found);
      }
      return;
    }
    case 'Context': {
      // `{a: 1, b: a + 1}`: an entry sees the keys before it.
      const scope = new Set(bound);
      for (const entry of children(node)) {
        if (entry.name !== 'ContextEntry') {
          visit(entry, scope, body, found);
          continue;
        }
        const [key, ...value] = children(entry);
        for (const part of value) visit(part, scope, body, found);
        if (key?.name === 'Key') scope.add(keyName(key, body));
      }
      return;
    }
    default:
      for (const child of children(node)) visit(child, bound, body, found);
  }
}

function isBuiltinCall(callee: FeelNode, bound: ReadonlySet<string>, body: string): boolean {
  const name = nameOf(callee, body);
  return BUILTIN_FUNCTIONS.has(name) && !bound.has(name);
}

function keyName(key: FeelNode, body: string): string {
  const inner = key.firstChild;
  if (inner?.name === 'StringLiteral') return body.slice(inner.from + 1, inner.to - 1);
  return inner ? nameOf(inner, body) : body.slice(key.from, key.to).trim();
}
