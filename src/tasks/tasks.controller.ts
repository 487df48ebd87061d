import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_TOO_LARGE } from '../common/api-errors.decorator.js';
import { PageQuery } from '../common/page.dto.js';
import { CurrentUser, type Principal } from '../identity/index.js';
import {
  AssignBody,
  BulkBody,
  BulkResultDto,
  CommentBody,
  CommentDto,
  CommentListDto,
  CompleteBody,
  TaskDetailDto,
  TaskDto,
  TaskListDto,
  TaskListQuery,
} from './task.dto.js';
import { TasksService } from './tasks.service.js';
import { IdParam } from '../common/id-param.js';

const uuid = new IdParam('Task');
const NOT_OFFERED: [403, string] = [403, 'The task exists but is not offered to the caller (neither assignee, candidate user nor in a candidate group; admin sees all)'];
const UNKNOWN: [404, string] = [404, 'Unknown task id (a malformed id is unknown too)'];
const HELD: [409, string] = [409, 'Someone else holds it, or it is no longer open'];

@ApiTags('tasks')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({
    summary: 'The caller’s inbox, or a filtered task list',
    description:
      'Without assignee/candidateGroup/unassigned: open tasks held by the caller or, unassigned, offered to the caller. ' +
      'Only tasks offered to or held by the caller are ever listed (admin: all). `withVariables=true` adds each task’s variables; `variables=a,b` restricts them.',
  })
  @ApiOkResponse({ type: TaskListDto })
  @ApiErrors([400, 'Invalid filters; `details` names each problem'], [403, 'assignee=<another user> without admin, or candidateGroup the caller is not in'])
  list(@Query() query: TaskListQuery, @CurrentUser() caller: Principal): Promise<TaskListDto> {
    return this.tasks.list(query, caller);
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Claim, unclaim, assign or complete up to 100 tasks',
    description: 'Each task is handled as its own endpoint would (in request order); the answer holds one result per task with the status that endpoint would have given.',
  })
  @ApiOkResponse({ type: BulkResultDto })
  @ApiErrors([400, 'Invalid body (action, 1 to 100 distinct task ids, assignee for assign); per-task failures are results, not errors'], JSON_TOO_LARGE)
  bulk(@Body() body: BulkBody, @CurrentUser() caller: Principal): Promise<BulkResultDto> {
    return this.tasks.bulk(body, caller);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One task with its variables and form' })
  @ApiOkResponse({ type: TaskDetailDto })
  @ApiErrors(NOT_OFFERED, UNKNOWN)
  get(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<TaskDetailDto> {
    return this.tasks.get(id, caller);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the task (idempotent for its holder)' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(NOT_OFFERED, UNKNOWN, HELD)
  claim(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<TaskDto> {
    return this.tasks.claim(id, caller);
  }

  @Post(':id/unclaim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the task back to its candidates (its holder, or admin)' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(NOT_OFFERED, UNKNOWN, HELD)
  unclaim(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<TaskDto> {
    return this.tasks.unclaim(id, caller);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand the task to a user: its holder, admin, or (while unassigned) anyone it is offered to' })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors([400, 'Invalid body (assignee must be a user id)'], NOT_OFFERED, UNKNOWN, HELD, JSON_TOO_LARGE)
  assign(@Param('id', uuid) id: string, @Body() body: AssignBody, @CurrentUser() caller: Principal): Promise<TaskDto> {
    return this.tasks.assign(id, body.assignee, caller);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete the task and resume the process',
    description: 'The caller must hold the task or be offered it (then it is claimed and completed in one step). Of racing completions exactly one wins; the others get 409.',
  })
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(
    [400, 'Invalid body (variables must be an object), or a value that cannot be stored'],
    NOT_OFFERED,
    UNKNOWN,
    [409, 'No longer open, someone else holds it, or its process instance is suspended'],
    JSON_TOO_LARGE,
    [422, 'The variables fail the task’s form; `details` names each bad field'],
  )
  complete(@Param('id', uuid) id: string, @Body() body: CompleteBody, @CurrentUser() caller: Principal): Promise<TaskDto> {
    return this.tasks.complete(id, body.variables ?? {}, caller);
  }

  @Get(':id/comments')
  @ApiOperation({ summary: 'Comments on the task, oldest first' })
  @ApiOkResponse({ type: CommentListDto })
  @ApiErrors([400, 'Invalid page or size'], NOT_OFFERED, UNKNOWN)
  comments(@Param('id', uuid) id: string, @Query() page: PageQuery, @CurrentUser() caller: Principal): Promise<CommentListDto> {
    return this.tasks.comments(id, page, caller);
  }

  @Post(':id/comments')
  @ApiOperation({ summary: 'Comment on the task' })
  @ApiCreatedResponse({ type: CommentDto })
  @ApiErrors([400, 'Invalid body (text of 1 to 10000 characters)'], NOT_OFFERED, UNKNOWN, JSON_TOO_LARGE)
  addComment(@Param('id', uuid) id: string, @Body() body: CommentBody, @CurrentUser() caller: Principal): Promise<CommentDto> {
    return this.tasks.addComment(id, body.text, caller);
  }
}
