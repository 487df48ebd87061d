import type { ProcessModel } from './process-model.js';

export interface DeploymentProblem {
  elementId?: string;
  line?: number;
  column?: number;
  message: string;
}

export interface DeploymentWarning {
  elementId: string;
  message: string;
}

export type BpmnParseResult =
  | { ok: true; processes: ProcessModel[]; warnings: DeploymentWarning[]; xmlHash: string }
  | { ok: false; problems: DeploymentProblem[] };

export interface BpmnLimits {
  /** Backstop only: the HTTP layer enforces MAX_UPLOAD_BYTES (413) before parsing. */
  maxBytes: number;
  maxElements: number;
  maxDepth: number;
  /** Elements bpmn-moddle would warn about while reading (unknown elements outside
   *  extensionElements, duplicate ids): each warning's line lookup rescans the text, so thousands
   *  of them block for seconds. Beyond this count the file is refused before bpmn-moddle runs. */
  maxElementWarnings: number;
  /** Stop listing after this many problems (the count of the rest is still reported). */
  maxProblems: number;
}

export const DEFAULT_LIMITS: Readonly<BpmnLimits> = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxElements: 20_000,
  maxDepth: 100,
  maxElementWarnings: 100,
  maxProblems: 200,
});
