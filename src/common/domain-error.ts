// Expected failures carry a code; the HTTP filter alone maps codes to statuses, so services
// never import HTTP concerns and the same errors read naturally in workers and tests.

export type ErrorCode =
  | 'bad-input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unprocessable'
  | 'unavailable';

export interface ErrorDetail {
  readonly elementId?: string;
  readonly field?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, details: readonly ErrorDetail[] = []) => new DomainError('bad-input', message, details);
export const notFound = (message: string) => new DomainError('not-found', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const conflict = (message: string) => new DomainError('conflict', message);
