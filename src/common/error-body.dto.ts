import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorDetail } from './domain-error.js';
import type { ErrorBody } from './http-error.filter.js';

/** One problem behind an error answer (OpenAPI twin of ErrorDetail). */
export class ErrorDetailDto {
  @ApiPropertyOptional({ description: 'The BPMN element the problem is about (invalid models, engine errors)', example: 'Gateway_1' })
  elementId?: string;

  @ApiPropertyOptional({ description: 'The request field the problem is about (validation, task forms, ttl)', example: 'amount' })
  field?: string;

  @ApiPropertyOptional({ description: 'Line in the uploaded XML (1-based)', example: 12 })
  line?: number;

  @ApiPropertyOptional({ description: 'Column in the uploaded XML (1-based)', example: 7 })
  column?: number;

  @ApiProperty({ example: 'gateway has no outgoing sequence flow' })
  message: string;
}

/** Every error answer, whatever its status (OpenAPI twin of ErrorBody, written by HttpErrorFilter). */
export class ErrorBodyDto {
  @ApiProperty({ description: 'The HTTP status again', example: 404 })
  statusCode: number;

  @ApiProperty({ description: 'The reason phrase of the status', example: 'Not Found' })
  error: string;

  @ApiProperty({ description: 'What went wrong, for people', example: "Task '42' not found" })
  message: string;

  @ApiProperty({ type: () => [ErrorDetailDto], description: 'One entry per problem; empty when the message says it all' })
  details: ErrorDetailDto[];
}

// Compile-time guard: the documented shape is exactly the one the filter sends (same keys, each
// side assignable to the other, so a field added to or dropped from either breaks the build).
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Same<A, B> = Mutual<A, B> extends true ? Mutual<keyof A, keyof B> : false;
type Assert<T extends true> = T;
export type ErrorBodyDtoMatchesErrorBody = Assert<Same<ErrorBodyDto, ErrorBody>>;
export type ErrorDetailDtoMatchesErrorDetail = Assert<Same<ErrorDetailDto, ErrorDetail>>;
