import type { CallActivityNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { evaluateOptionalText, evaluateText, evaluateValue } from '../evaluate.js';
import { applyResult, evaluateIo, hasOutputs } from '../io.js';
import type { Run } from '../run.js';
import { lookupIn, visibleVariables } from '../scope.js';
import { escalationCatchesAbove } from '../throw-catch.js';
import type { ElementInstance, Variables } from '../types.js';

/**
 * Starts a child instance (effect; the runtime creates it and runs `start` with `parent`) and waits
 * for `childCompleted` / `childFailed`. Terminating the call activity cancels the child.
 *
 * Variables in: Zeebe (and plain BPMN) passes every visible variable unless
 * propagateAllParentVariables is false (then only the input-mapped locals); Camunda 7 passes only
 * what camunda:in says (`variables="all"`, source/target, sourceExpression, businessKey).
 * Variables out: Zeebe propagates all child variables unless propagateAllChildVariables is false or
 * output mappings exist (then the child variables are local and the outputs pick); Camunda 7 takes
 * only what camunda:out says.
 *
 * An escalation the child does not catch arrives as `childEscalated` and is rethrown from here; the
 * child learns at start (ParentLink.escalationCatches) whether something above catches it interrupting.
 */
export const callActivityBehaviour: Behaviour<CallActivityNode> = {
  activate(run, ei, node) {
    const spec = node.calledElement;
    const lookup = run.lookup(ei);
    const processKey = evaluateText(spec.processId, lookup, `called element of '${node.id}'`);
    const variables: Variables = spec.propagateAllParentVariables
      ? visibleVariables(run.state, ei)
      : run.model.dialect === 'camunda'
        ? {}
        : { ...(ei.variables ?? {}) };
    let businessKey: string | undefined;
    for (const mapping of spec.inMappings) {
      switch (mapping.kind) {
        case 'all':
          Object.assign(variables, mapping.local ? { ...(ei.variables ?? {}) } : visibleVariables(run.state, ei));
          break;
        case 'variable': {
          const found = lookup(mapping.source);
          variables[mapping.target] = found.found ? found.value : null;
          break;
        }
        case 'expression':
          variables[mapping.target] = evaluateValue(mapping.expression, lookup, `in mapping '${mapping.target}' of '${node.id}'`);
          break;
        case 'businessKey':
          businessKey = evaluateOptionalText(mapping.expression, lookup, `business key of '${node.id}'`);
          break;
        case 'inheritBusinessKey':
          businessKey = run.state.businessKey;
          break;
        default:
          unreachable(mapping);
      }
    }
    const version = spec.version !== undefined ? evaluateOptionalText(spec.version, lookup, `version of '${node.id}'`) : undefined;

    const escalationCatches = escalationCatchesAbove(run, ei);
    const childInstanceId = run.newId();
    run.addWait(ei, childInstanceId, { kind: 'child', elementInstanceId: ei.id, elementId: ei.elementId });
    run.emit({
      type: 'startChildInstance',
      childInstanceId,
      processKey,
      binding: spec.binding,
      ...(version !== undefined ? { version } : {}),
      ...(spec.versionTag !== undefined ? { versionTag: spec.versionTag } : {}),
      variables,
      ...(businessKey !== undefined ? { businessKey } : {}),
      parentElementInstanceId: ei.id,
      parentElementId: ei.elementId,
      ...(escalationCatches.length > 0 ? { escalationCatches } : {}),
    });
  },

  onTrigger(run, ei, _node, trigger) {
    // Mapping happens in beforeComplete so a failing out-mapping expression can be retried.
    ei.payload = trigger.variables;
    run.complete(ei);
  },

  beforeComplete(run, ei, node) {
    const child = ei.payload;
    if (!child) return;
    const spec = node.calledElement;
    const out = outMapped(run, node, child);
    if (out) {
      applyResult(run, ei, node, out);
    } else if (spec.propagateAllChildVariables && !hasOutputs(node)) {
      applyResult(run, ei, node, child);
    } else {
      applyResult(run, ei, node, child, true);
    }
    delete ei.payload;
  },
};

/** camunda:out (Camunda 7) / explicit out mappings applied to the child's variables; null when the call activity has none. */
function outMapped(run: Run, node: CallActivityNode, child: Variables): Variables | null {
  const spec = node.calledElement;
  if (run.model.dialect !== 'camunda' && spec.outMappings.length === 0) return null;
  const out: Variables = spec.propagateAllChildVariables ? { ...child } : {};
  for (const mapping of spec.outMappings) {
    switch (mapping.kind) {
      case 'all':
        Object.assign(out, child);
        break;
      case 'variable':
        out[mapping.target] = mapping.source in child ? child[mapping.source] : null;
        break;
      case 'expression':
        out[mapping.target] = evaluateValue(mapping.expression, lookupIn(child), `out mapping '${mapping.target}' of '${node.id}'`);
        break;
      case 'businessKey':
      case 'inheritBusinessKey':
        break;
      default:
        unreachable(mapping);
    }
  }
  return out;
}

/**
 * What a child's escalation hands to the catch: the call activity's output mappings (camunda:out, or
 * zeebe output mappings) applied to the child's variables, as Camunda 7 passes "the defined output
 * variables of the call activity". Without output mappings nothing (the child's variables arrive
 * when it completes). May throw StepFailure (a failing mapping expression).
 */
export function escalationVariables(run: Run, ei: ElementInstance, node: CallActivityNode, child: Variables): Variables {
  const out = outMapped(run, node, child);
  if (out) return out;
  const outputs = node.ioMapping?.outputs ?? [];
  const lookup = run.lookup(ei, child);
  const values: Variables = {};
  for (const output of outputs) values[output.target] = evaluateIo(output.source, lookup, `output mapping '${output.target}'`);
  return values;
}

function unreachable(value: never): never {
  throw new Error(`unknown call variable mapping ${JSON.stringify(value)}`);
}

