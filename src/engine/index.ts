// Public surface of the pure engine core (see README.md and types.ts).
export { execute, initialState } from './execute.js';
export { EngineError, isEngineError } from './errors.js';
export type { EngineErrorCode } from './errors.js';
export { ROOT_SCOPE } from './types.js';
export type * from './types.js';
export { activeElements, openIncidents, rootVariables } from './queries.js';
