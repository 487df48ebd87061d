import { chain, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

const script = (id: string, expression: string, result: string) =>
  `<bpmn:scriptTask id="${id}"><bpmn:extensionElements><zeebe:script expression="${expression}" resultVariable="${result}"/></bpmn:extensionElements></bpmn:scriptTask>`;

function descend(n: number, fn: () => void): void {
  if (n <= 0) fn();
  else descend(n - 1, fn);
}

/** How deep `descend` can go here before the stack is full. */
function maxDepth(): number {
  let depth = 0;
  const probe = (n: number): void => {
    depth = n;
    descend(0, () => probe(n + 1));
  };
  try {
    probe(0);
  } catch {
    /* RangeError: the stack is full */
  }
  return depth * 2;
}

function withStackUsed(frames: number, fn: () => void): void {
  descend(frames, fn);
}

describe('script task', () => {
  it('evaluates the FEEL expression into the result variable', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/>${script('calc', '= a + b', 'sum')}<bpmn:endEvent id="e"/>${chain(['s', 'calc', 'e'])}`));
    h.start({ a: 2, b: 3 });
    expect(h.variables.sum).toBe(5);
    expect(h.status).toBe('completed');
  });

  it('a failing script is an incident; retry re-evaluates', async () => {
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/>${script('calc', '= if bad then [1..2] else 1', 'r')}<bpmn:endEvent id="e"/>${chain(['s', 'calc', 'e'])}`));
    h.start({ bad: true });
    expect(h.incidents()).toMatchObject([{ elementId: 'calc', type: 'expression' }]);
    h.run({ type: 'setVariables', variables: { bad: false } });
    h.retryIncident();
    expect(h.status).toBe('completed');
    expect(h.variables.r).toBe(1);
  });

  it('runs a synchronous chain of 1,000 script and manual tasks without deep recursion', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const elements = ids.map((id, i) => (i % 2 === 0 ? script(id, '= n + 1', 'n') : `<bpmn:manualTask id="${id}"/>`)).join('\n');
    const h = await Harness.of(zeebe(`<bpmn:startEvent id="s"/>${elements}<bpmn:endEvent id="e"/>${chain(['s', ...ids, 'e'])}`));
    // Warm up (compile the expression), then run with most of the stack already used: an engine
    // that recursed per element would overflow long before 1,000 elements.
    const warm = await Harness.of(zeebe(`<bpmn:startEvent id="s"/>${script('t', '= n + 1', 'n')}<bpmn:endEvent id="e"/>${chain(['s', 't', 'e'])}`));
    warm.start({ n: 0 });
    const depth = maxDepth();
    withStackUsed(depth - 400, () => h.start({ n: 0 }));
    expect(h.status).toBe('completed');
    expect(h.variables.n).toBe(500);
    expect(h.path()).toHaveLength(1002);
  });
});
