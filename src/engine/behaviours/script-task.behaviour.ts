import type { FlowNode, ScriptSpec, ScriptTaskNode } from '../../bpmn/process-model.js';
import type { Behaviour } from '../behaviour.js';
import { evaluateValue } from '../evaluate.js';
import { applyResult } from '../io.js';
import type { Run } from '../run.js';
import type { ElementInstance } from '../types.js';
import { openJob } from '../waits.js';

/** Evaluates the script expression (FEEL / `${}`, never code) into the result variable, then completes. */
export function runScript(run: Run, ei: ElementInstance, node: FlowNode, script: ScriptSpec): void {
  const value = evaluateValue(script.expression, run.lookup(ei), `script of '${node.id}'`);
  if (script.resultVariable) applyResult(run, ei, node, { [script.resultVariable]: value });
  run.complete(ei);
}

/** `zeebe:script` expression, or a job (zeebe script task with a task definition), else passes through. */
export const scriptTaskBehaviour: Behaviour<ScriptTaskNode> = {
  activate(run, ei, node) {
    if (node.script) runScript(run, ei, node, node.script);
    else if (node.job) openJob(run, ei, node.job);
    else run.complete(ei);
  },
};
