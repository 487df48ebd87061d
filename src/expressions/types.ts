export type ExpressionKind = 'feel' | 'juel' | 'literal';

/** Offsets into the source text as written (0-based, `to` exclusive). */
export interface SourceSpan {
  from: number;
  to: number;
}

export interface ExpressionProblem {
  message: string;
  /** Where in the source the problem is, when it can be pinned down. */
  position?: SourceSpan;
}

export type EvaluationResult =
  | {
      ok: true;
      value: unknown;
      /**
       * Why parts of a FEEL result became null (missing variable, bad argument…). FEEL turns
       * errors into null instead of failing, so these are what explains a surprising null.
       */
      warnings?: readonly string[];
    }
  | { ok: false; message: string };

export interface CompiledExpression {
  /** The text as written in the model. */
  readonly source: string;
  readonly kind: ExpressionKind;
  /** Root variable names the expression reads, sorted (so callers pass only those). */
  readonly variables: readonly string[];
  evaluate(context: Readonly<Record<string, unknown>>): EvaluationResult;
}

export type CompileResult =
  | { ok: true; expression: CompiledExpression }
  | { ok: false; problems: ExpressionProblem[] };

/** Deploy-time limit shared by both languages: longer texts are refused before parsing. */
export const MAX_EXPRESSION_LENGTH = 10_000;
