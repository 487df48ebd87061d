// Thrown only for programming errors and commands that cannot apply; process-level problems are
// incidents (effects), never exceptions. The runtime maps codes to outcomes:
//   stale                     → the addressed wait state is gone: change nothing (409 for a task, ack a job)
//   instance-not-active       → 409 (instance completed/terminated/canceled)
//   instance-suspended        → 409
//   not-root-instance         → 409 (a child is canceled through its parent)
//   already-started           → programming error (start on an existing state)
//   not-started               → programming error (a non-start command on null state)
//   unknown-start-event       → 400
//   unknown-element-instance  → 404 (setVariables on a local scope that does not exist)
//   unknown-incident          → 404 / 409 (already resolved)
//   model-mismatch            → programming error (state of another definition key)
//   invalid-command           → 400

export type EngineErrorCode =
  | 'stale'
  | 'instance-not-active'
  | 'instance-suspended'
  | 'not-root-instance'
  | 'already-started'
  | 'not-started'
  | 'unknown-start-event'
  | 'unknown-element-instance'
  | 'unknown-incident'
  | 'model-mismatch'
  | 'invalid-command';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const isEngineError = (error: unknown, code?: EngineErrorCode): error is EngineError =>
  error instanceof EngineError && (code === undefined || error.code === code);
