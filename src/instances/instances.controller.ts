import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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

@ApiTags('process instances')
@ApiBearerAuth()
@Controller('api')
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post('process-definitions/:key/start')
  @ApiOperation({
    summary: 'Start an instance (latest version unless `version` is given)',
    description: 'Open to admin, integrator and the users/groups the model names as starters (camunda:candidateStarterGroups/Users).',
  })
  @ApiCreatedResponse({ type: InstanceDto })
  start(@Param('key') key: string, @Body() body: StartInstanceBody, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.start(key, body, caller);
  }

  @Get('process-instances')
  @RequireGroups('integrator', 'modeler')
  @ApiOperation({ summary: 'List instances (`definitionKey`, `businessKey`, `state`), newest first' })
  @ApiOkResponse({ type: InstanceListDto })
  async list(@Query() query: InstanceListQuery): Promise<InstanceListDto> {
    const { items, total } = await this.instances.list(query);
    return pageOf(items, total, query);
  }

  @Get('process-instances/:id')
  @ApiOperation({ summary: 'One instance with its active elements', description: 'Integrators, modellers and admin read every instance; anyone else the instances they started and those with a task they hold, were offered or completed.' })
  @ApiOkResponse({ type: InstanceDetailDto })
  get(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDetailDto> {
    return this.instances.get(id, caller);
  }

  @Post('process-instances/:id/cancel')
  @HttpCode(200)
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Cancel the instance: every open task, job, timer and subscription is withdrawn' })
  @ApiOkResponse({ type: InstanceDto })
  cancel(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'cancel' }, caller);
  }

  @Post('process-instances/:id/suspend')
  @HttpCode(200)
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Suspend: the instance refuses work until resumed' })
  @ApiOkResponse({ type: InstanceDto })
  suspend(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'suspend' }, caller);
  }

  @Post('process-instances/:id/resume')
  @HttpCode(200)
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Resume a suspended instance' })
  @ApiOkResponse({ type: InstanceDto })
  resume(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'resume' }, caller);
  }

  @Patch('process-instances/:id/variables')
  @RequireGroups('integrator')
  @ApiOperation({ summary: 'Merge variables into the root scope' })
  @ApiOkResponse({ type: InstanceDto })
  setVariables(@Param('id', uuid) id: string, @Body() body: VariablesBody, @CurrentUser() caller: Principal): Promise<InstanceDto> {
    return this.instances.command(id, { type: 'setVariables', variables: body.variables }, caller);
  }

  @Get('process-instances/:id/history')
  @ApiOperation({ summary: 'The full audit trail, oldest first', description: 'Integrators, modellers and admin read every instance; anyone else the instances they started and those with a task they hold, were offered or completed.' })
  @ApiOkResponse({ type: HistoryDto })
  history(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<HistoryDto> {
    return this.instances.history(id, caller);
  }

  @Get('process-instances/:id/diagram')
  @ApiOperation({ summary: 'The XML plus active and completed element ids, for a viewer to colour', description: 'Integrators, modellers and admin read every instance; anyone else the instances they started and those with a task they hold, were offered or completed.' })
  @ApiOkResponse({ type: DiagramDto })
  diagram(@Param('id', uuid) id: string, @CurrentUser() caller: Principal): Promise<DiagramDto> {
    return this.instances.diagram(id, caller);
  }
}
