import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { PageQuery, PageDto } from '../common/page.dto.js';

export const TASK_STATES = ['open', 'completed', 'canceled'] as const;
export const TASK_STATE_FILTERS = [...TASK_STATES, 'all'] as const;
export const TASK_SORTS = ['created', 'due', 'priority', 'name'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;
export const BULK_ACTIONS = ['claim', 'unclaim', 'assign', 'complete'] as const;
export const MAX_BULK_TASKS = 100;
/** A user or group name as BPMN candidate lists can carry it: no whitespace, no commas. */
export const NAME_PATTERN = /^[^\s,]{1,255}$/;

/** Query booleans are the words `true` and `false`; anything else stays as is and fails validation (400). */
const queryBoolean = () => Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

export class TaskListQuery extends PageQuery {
  @ApiPropertyOptional({ description: '`me`, a user id (others’ tasks need `admin`), or `any` (every visible task, whoever holds it)' })
  @IsOptional()
  @IsString()
  @Matches(NAME_PATTERN, { message: 'assignee must be me, any or a user id' })
  assignee?: string;

  @ApiPropertyOptional({ description: 'Tasks offered to this group, claimed or not (the caller must belong to it unless admin)' })
  @IsOptional()
  @IsString()
  @Matches(NAME_PATTERN, { message: 'candidateGroup must be a group name' })
  candidateGroup?: string;

  @ApiPropertyOptional({ type: Boolean, description: '`true`: nobody holds it; `false`: someone does' })
  @IsOptional()
  @queryBoolean()
  @IsBoolean({ message: 'unassigned must be true or false' })
  unassigned?: boolean;

  @ApiPropertyOptional({ enum: TASK_STATE_FILTERS, default: 'open' })
  @IsOptional()
  @IsIn(TASK_STATE_FILTERS)
  state?: (typeof TASK_STATE_FILTERS)[number];

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) definitionKey?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() processInstanceId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) businessKey?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Due strictly before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'dueBefore must be an ISO-8601 date-time' })
  dueBefore?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Due strictly after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'dueAfter must be an ISO-8601 date-time' })
  dueAfter?: string;

  @ApiPropertyOptional({ type: Boolean, description: '`true`: due date passed; `false`: not overdue (or no due date)' })
  @IsOptional()
  @queryBoolean()
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ type: Number }) @IsOptional() @Type(() => Number) @IsInt({ message: 'priorityMin must be a whole number' }) priorityMin?: number;
  @ApiPropertyOptional({ type: Number }) @IsOptional() @Type(() => Number) @IsInt({ message: 'priorityMax must be a whole number' }) priorityMax?: number;

  @ApiPropertyOptional({ description: 'Text in the task name (case-insensitive)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ enum: TASK_SORTS, default: 'created' })
  @IsOptional()
  @IsIn(TASK_SORTS)
  sort?: (typeof TASK_SORTS)[number];

  @ApiPropertyOptional({ enum: SORT_ORDERS, description: 'Default `asc`, except `desc` for priority (highest first). Tasks without a due date or name sort last ascending, first descending.' })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order?: (typeof SORT_ORDERS)[number];

  @ApiPropertyOptional({ type: Boolean, description: 'Include each task’s variables (those visible in its scope)' })
  @IsOptional()
  @queryBoolean()
  @IsBoolean({ message: 'withVariables must be true or false' })
  withVariables?: boolean;

  @ApiPropertyOptional({ description: 'Comma-separated variable names to include (implies withVariables)', example: 'amount,creditor' })
  @IsOptional()
  @IsString()
  @Matches(/^\s*[^,\s]{1,255}\s*(,\s*[^,\s]{1,255}\s*){0,99}$/, { message: 'variables must be a comma-separated list of up to 100 names' })
  variables?: string;
}

/** The fields every task representation has (API.md's list item plus endedAt/completedBy). */
export class TaskFieldsDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() elementId: string;
  @ApiProperty({ format: 'uuid' }) processInstanceId: string;
  @ApiProperty() definitionKey: string;
  @ApiProperty({ nullable: true, type: String }) businessKey: string | null;
  @ApiProperty({ nullable: true, type: String }) assignee: string | null;
  @ApiProperty({ type: [String] }) candidateGroups: string[];
  @ApiProperty({ type: [String] }) candidateUsers: string[];
  @ApiProperty({ enum: TASK_STATES }) state: (typeof TASK_STATES)[number];
  @ApiProperty() priority: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) followUpAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ description: 'External form reference (formKey / formId)' }) formKey?: string;
  @ApiProperty({ description: 'Handed to its escalation group by an `escalateAfter` deadline' }) escalated: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it was escalated' }) escalatedAt: string | null;
  @ApiProperty({ description: 'Open and past its due date' }) overdue: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it was completed or canceled' }) endedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) completedBy: string | null;
}

export class TaskDto extends TaskFieldsDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'With ?withVariables=true' }) variables?: Record<string, unknown>;
}

export class TaskFormDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'form-js schema (zeebe:userTaskForm)' }) schema?: unknown;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'Camunda 7 camunda:formData fields: id, label, type, required, constraints, values' }) fields?: unknown[];
}

export class TaskDetailDto extends TaskFieldsDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Process variables visible in the task’s scope' }) variables: Record<string, unknown>;
  @ApiProperty({ type: TaskFormDto, nullable: true, description: 'The form the model embeds, or null' }) form: TaskFormDto | null;
}

export class TaskListDto extends PageDto(TaskDto) {}

export class AssignBody {
  @ApiProperty({ description: 'User id to hand the task to' })
  @IsString()
  @Matches(NAME_PATTERN, { message: 'assignee must be a user id (no spaces or commas)' })
  assignee: string;
}

export class CompleteBody {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Validated against the task’s form (422 names each bad field)' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;
}

export class CommentBody {
  @ApiProperty({ minLength: 1, maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  text: string;
}

export class CommentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) taskId: string;
  @ApiProperty() author: string;
  @ApiProperty() text: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CommentListDto extends PageDto(CommentDto) {}

export class BulkBody {
  @ApiProperty({ enum: BULK_ACTIONS })
  @IsIn(BULK_ACTIONS)
  action: (typeof BULK_ACTIONS)[number];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: MAX_BULK_TASKS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_TASKS)
  @ArrayUnique({ message: 'taskIds must not repeat a task' })
  @IsUUID('all', { each: true })
  taskIds: string[];

  @ApiPropertyOptional({ description: 'Required for `assign`' })
  @ValidateIf((body: BulkBody) => body.action === 'assign' || body.assignee !== undefined)
  @IsString()
  @Matches(NAME_PATTERN, { message: 'assignee must be a user id (no spaces or commas)' })
  assignee?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'For `complete`: the same variables for every task' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;
}

export class BulkErrorDto {
  @ApiProperty() statusCode: number;
  @ApiProperty() error: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) details: unknown[];
}

export class BulkItemResultDto {
  @ApiProperty({ format: 'uuid' }) taskId: string;
  @ApiProperty({ description: 'What the single-task endpoint would have answered: 200, 403, 404, 409, 422' }) status: number;
  @ApiPropertyOptional({ type: TaskDto }) task?: TaskDto;
  @ApiPropertyOptional({ type: BulkErrorDto }) error?: BulkErrorDto;
}

export class BulkResultDto {
  @ApiProperty({ enum: BULK_ACTIONS }) action: string;
  @ApiProperty({ type: [BulkItemResultDto], description: 'One per task id, in request order' }) results: BulkItemResultDto[];
  @ApiProperty() succeeded: number;
  @ApiProperty() failed: number;
}
