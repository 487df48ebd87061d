import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_TOO_LARGE } from '../common/api-errors.decorator.js';
import { pageOf } from '../common/page.dto.js';
import { CurrentUser, type Principal, RequireGroups } from '../identity/index.js';
import {
  DiagramDto,
  HistoryDto,
  InstanceDetailDto,
  InstanceDto,
  InstanceListDto,
  InstanceListQuery,
  StartInstanceBody,
  VariablesBody,
} from './instance.dto.js';
import { InstancesService } from './instances.service.js';
import { IdParam } from '../common/id-param.js';

const uuid = new IdParam('Process instance');
const UNKNOWN: [404, string] = [404, 'Unknown process instance id (a malformed id is unknown too)'];
const NOT_READER: [403, string] = [403, 'Not an integrator, modeller, its starter nor someone with a task in it'];
const NOT_ACTIVE: [409, string] = [409, 'The instance has ended (completed, canceled, terminated)'];

@ApiTags('process instances')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api')
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post('process-definitions/:key/start')
  @ApiOperation({
    summary: 'Start an instance (latest version unless `version` is given)',
    description: 'Open to admin, integrator and the users/groups the model names as starters (camunda:candidateStarterGroups/Users).',
  })
  @ApiCreatedResponse({ type: InstanceDto })
  @ApiErrors(
    [400, 'Invalid body, or the process has no none start event'],
    [403, 'Not admin, integrator nor a starter the model names'],
    [404, 'Unknown process definition key, or unknown version of it'],
    JSON_TOO_LARGE,
  )
  start(@Param('key') key: string, @Body() body: StartInstanceBody, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.start(key, body, caller);
  }

  @Get('process-instances')
  @RequireGroups('integrator', 'modeler')
  @ApiOperation({ summary: 'List instances (`definitionKey`, `businessKey`, `state`), newest first' })
  @ApiOkResponse({ type: InstanceListDto })
  @ApiErrors([400, 'Invalid filters; `details` names each problem'], 403)
  async list(@Query() query: InstanceListQuery): Promise<InstanceListDto> {
    const { items, total } = await this.instances.list(query);
    return pageOf(items, total, query);
  }

  @Get('process-instances/:id')
  @ApiOperation({ summary: 'One instance with its active elements', description: 'Integrators, modellers and admin read every instance; anyone else the instances they started and those with a task they hold, were offered or completed.' })
  @ApiOkResponse({ type: InstanceDetailDto })
  @ApiErrors(NOT_READER, UNKNOWN)
  get(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDetailDto> {
    return this.instances.get(id, caller);
  }

  @Post('process-instances/:id/cancel')
  @HttpCode(200)
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Cancel the instance: every open task, job, timer and subscription is withdrawn' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiErrors(403, UNKNOWN, [409, 'The instance has ended, or it is a called instance (cancel its root)'])
  cancel(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'cancel' }, caller);
  }

  @Post('process-instances/:id/suspend')
  @HttpCode(200)
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Suspend: the instance refuses work until resumed' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiErrors(403, UNKNOWN, NOT_ACTIVE)
  suspend(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'suspend' }, caller);
  }

  @Post('process-instances/:id/resume')
  @HttpCode(200)
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Resume a suspended instance' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiErrors(403, UNKNOWN, NOT_ACTIVE)
  resume(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'resume' }, caller);
  }

  @Patch('process-instances/:id/variables')
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Merge variables into the root scope' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiErrors([400, 'Invalid body (variables must be an object), or a value that cannot be stored'], 403, UNKNOWN, NOT_ACTIVE, JSON_TOO_LARGE)
  setVariables(@Param('id', uuid) id: string, @Body() body: VariablesBody, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'setVariables', variables: body.variables }, caller);
  }

  @Get('process-instances/:id/history')
  @ApiOperation({ summary: 'The full audit trail, oldest first', description: 'Integrators, modellers and admin read every instance; anyone else the instances they started and those with a task they hold, were offered or completed.' })
  @ApiOkResponse({ type: HistoryDto })
  @ApiErrors(NOT_READER, UNKNOWN)
  history(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<HistoryDto> {
    return this.instances.history(id, caller);
  }

  @Get('process-instances/:id/diagram')
  @ApiOperation({ summary: 'The XML plus active and completed element ids, for a viewer to colour', description: 'Integrators, modellers and admin read every instance; anyone else the instances they started and those with a task they hold, were offered or completed.' })
  @ApiOkResponse({ type: DiagramDto })
  @ApiErrors(NOT_READER, UNKNOWN)
  diagram(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<DiagramDto> {
    return this.instances.diagram(id, caller);
  }
}
