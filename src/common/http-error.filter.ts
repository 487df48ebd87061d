import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { dataExceptionMessage } from './data-exception.js';
import { DomainError, type ErrorCode, type ErrorDetail } from './domain-error.js';
import { JsonLogger } from './json-logger.js';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  'bad-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  unavailable: 503,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: ErrorDetail[];
}

export function errorBody(statusCode: number, message: string, details: readonly ErrorDetail[] = []): ErrorBody {
  return { statusCode, error: REASON[statusCode] ?? 'Error', message, details: [...details] };
}

/**
 * The one place errors become HTTP responses, all in the API.md shape. Bad input of any origin
 * (validation pipe, body parser, multer limits, domain errors) maps to 4xx; only a genuine bug
 * is a 500, and its internals are logged, never sent.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new JsonLogger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error('request failed', { error: exception instanceof Error ? exception.stack : String(exception) });
    } else if (!(exception instanceof DomainError || exception instanceof HttpException) && refusedValue(exception) !== null) {
      // Mapped from a database or runtime error: usually bad input, but worth a trace in case it is ours.
      this.logger.warn('request refused by the database', { error: exception instanceof Error ? exception.stack : String(exception) });
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return errorBody(STATUS_BY_CODE[exception.code], exception.message, exception.details);
    }
    if (exception instanceof HttpException) {
      return this.fromHttpException(exception);
    }
    const status = statusOfLibraryError(exception);
    if (status !== null) {
      return errorBody(status, libraryErrorMessage(exception, status));
    }
    const refused = refusedValue(exception);
    if (refused !== null) return errorBody(HttpStatus.BAD_REQUEST, refused);
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }

  private fromHttpException(exception: HttpException): ErrorBody {
    const status = exception.getStatus();
    const payload = exception.getResponse();
    if (typeof payload === 'string') return errorBody(status, payload);
    const { message, details } = payload as { message?: unknown; details?: ErrorDetail[] };
    // The validation pipe reports a list of messages: the first is the headline, all are details.
    if (Array.isArray(message)) {
      const messages = message.map(String);
      return errorBody(status, messages[0] ?? 'Invalid request', messages.map((m) => ({ message: m })));
    }
    return errorBody(status, typeof message === 'string' ? message : exception.message, details ?? []);
  }
}

/** Errors thrown by express middleware (body-parser, multer) carry their own status or code. */
function statusOfLibraryError(exception: unknown): number | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { status, statusCode, code } = exception as { status?: unknown; statusCode?: unknown; code?: unknown };
  if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') return 413;
  if (typeof code === 'string' && code.startsWith('LIMIT_')) return 400;
  const candidate = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : null;
  return candidate !== null && candidate >= 400 && candidate < 500 ? candidate : null;
}

/**
 * Bad input that got past validation is not a bug: values PostgreSQL cannot store (see
 * dataExceptionMessage), and JSON nested so deeply that transforming it overflows the stack.
 */
function refusedValue(exception: unknown): string | null {
  if (exception instanceof RangeError && /call stack/i.test(exception.message)) return 'The request is nested too deeply';
  const reason = dataExceptionMessage(exception);
  return reason === null ? null : `A value in the request cannot be stored: ${reason}`;
}

function libraryErrorMessage(exception: unknown, status: number): string {
  if (status === 413) return 'Request body too large';
  const message = exception instanceof Error ? exception.message : '';
  return message || (REASON[status] ?? 'Bad request');
}
