import { parseExpression } from 'feelin';

/**
 * Helpers over feelin's lezer syntax tree. The node types come from feelin's own signature so
 * this module depends only on the package the project declares.
 */
export type FeelTree = ReturnType<typeof parseExpression>;
export type FeelNode = FeelTree['topNode'];

/**
 * The dialect Camunda 8 tooling uses: it adds `backtick names` (`` `order-id` ``), which Zeebe
 * models use for variables that are not plain identifiers.
 */
export const FEEL_DIALECT = 'camunda';

/**
 * Parses without a variable context, on purpose: the evaluator is later given only the variables
 * found here, so it re-parses the text the same way (feelin's parse is context-sensitive).
 */
export function parseFeel(body: string): FeelTree {
  return parseExpression(body, {}, FEEL_DIALECT);
}

export function children(node: FeelNode): FeelNode[] {
  const out: FeelNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

/**
 * The name as feelin resolves it: identifiers joined by single spaces (so `order  total` reads
 * variable `order total`), backticks removed.
 */
export function nameOf(node: FeelNode, body: string): string {
  const parts: string[] = [];
  for (const child of children(node)) {
    if (child.name === 'Identifier') parts.push(body.slice(child.from, child.to));
    else if (child.name === 'BacktickIdentifier') parts.push(body.slice(child.from, child.to).replace(/`/g, ''));
    else if (child.name === 'Name') parts.push(nameOf(child, body));
  }
  return parts.length > 0 ? parts.join(' ') : body.slice(node.from, node.to).trim().replace(/\s+/g, ' ');
}

/** FEEL string literal → its value; enough of the escapes for pattern and key inspection. */
export function stringLiteralValue(node: FeelNode, body: string): string {
  const raw = body.slice(node.from + 1, node.to - 1);
  return raw.replace(/\\(["\\nrt])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** Deepest nesting of the tree, walked without recursion so a hostile text cannot overflow the stack. */
export function treeDepth(tree: FeelTree): number {
  let depth = 0;
  let max = 0;
  tree.iterate({
    enter() {
      depth += 1;
      if (depth > max) max = depth;
    },
    leave() {
      depth -= 1;
    },
  });
  return max;
}

/** The first syntax error as a readable message with its span (offsets into `body`). */
export function firstSyntaxError(tree: FeelTree, body: string): { message: string; from: number; to: number } | null {
  let found: { message: string; from: number; to: number } | null = null;
  tree.iterate({
    enter(ref) {
      if (found) return false;
      if (!ref.type.isError) return undefined;
      const node = ref.node;
      const context = describeNode(node.parent?.name ?? 'Expression');
      if (node.from < node.to) {
        found = { message: `unexpected ${quote(body.slice(node.from, node.to))} in ${context}`, from: node.from, to: node.to };
      } else if (body.slice(node.from).trim() === '') {
        found = { message: `unexpected end of expression: incomplete ${context}`, from: node.from, to: node.to };
      } else {
        const rest = body.slice(node.from).trimStart();
        const at = body.length - rest.length;
        found = { message: `unexpected ${quote(rest.slice(0, 12))} in ${context}`, from: at, to: at + 1 };
      }
      return false;
    },
  });
  return found;
}

function quote(text: string): string {
  return `'${text.length > 20 ? `${text.slice(0, 20)}…` : text}'`;
}

/** `ArithmeticExpression` → `arithmetic expression`. */
function describeNode(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
