import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorBodyDto, ErrorDetailDto } from './error-body.dto.js';

/** The statuses HttpErrorFilter answers with for expected failures (see STATUS_BY_CODE). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 503;

/** A status with its default description, or a status with the description this endpoint needs. */
export type ErrorSpec = ErrorStatus | readonly [ErrorStatus, string];

const DEFAULT_DESCRIPTION: Record<ErrorStatus, string> = {
  400: 'Invalid request; `details` names each problem',
  401: 'Missing or invalid bearer token',
  // Meant to go with @RequireGroups, whose own 403 entry supplies the description ('requires one of
  // the groups: …'); entries for one status merge. Give a description wherever a service decides.
  403: '',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Request body too large',
  422: 'Well-formed, but the process cannot take it',
  503: 'Temporarily unavailable; try again',
};

/** Express's JSON parser caps bodies at 1 MB (app.factory.ts); every JSON-body route can answer 413. */
export const JSON_TOO_LARGE: ErrorSpec = [413, 'JSON body over 1 MB'];

/**
 * Documents error answers in the one shape HttpErrorFilter sends (ErrorBodyDto), e.g.
 * `@ApiErrors(400, [404, 'Unknown task id'], 409)`. On a controller class it applies to every route.
 * The body is always application/json, also for routes that @ApiProduces something else.
 */
export function ApiErrors(...specs: ErrorSpec[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorBodyDto, ErrorDetailDto),
    ...specs.map((spec) => {
      const [status, description] = typeof spec === 'number' ? [spec, DEFAULT_DESCRIPTION[spec]] : spec;
      return ApiResponse({ status, description, content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } } });
    }),
  );
}
