import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_TOO_LARGE } from '../common/api-errors.decorator.js';
import { pageOf } from '../common/page.dto.js';
import { CurrentUser, type Principal, RequireGroups } from '../identity/index.js';
import { IncidentDto, IncidentListDto, IncidentListQuery, RetryIncidentBody } from './instance.dto.js';
import { IncidentsService } from './incidents.service.js';
import { IdParam } from '../common/id-param.js';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api/incidents')
@RequireGroups('integrator', 'modeler')
@ApiErrors(401, 403)
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get()
  @ApiOperation({ summary: 'List incidents (`processInstanceId`, `state=open|resolved`), newest first' })
  @ApiOkResponse({ type: IncidentListDto })
  @ApiErrors([400, 'Invalid filters; `details` names each problem'])
  async list(@Query() query: IncidentListQuery): Promise<IncidentListDto> {
    const { items, total } = await this.incidents.list(query);
    return pageOf(items, total, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident' })
  @ApiOkResponse({ type: IncidentDto })
  @ApiErrors([404, 'Unknown incident id (a malformed id is unknown too)'])
  get(@Param('id', new IdParam('Incident')) id: string): Promise<IncidentDto> {
    return this.incidents.get(id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve the incident and re-run the failed step (re-dispatch the job / re-evaluate the expression)' })
  @ApiOkResponse({ type: IncidentDto })
  @ApiErrors(
    [400, 'Invalid body (retries must be a positive integer)'],
    [404, 'Unknown incident id (a malformed id is unknown too)'],
    [409, 'Already resolved, or its instance is suspended or has ended'],
    JSON_TOO_LARGE,
  )
  retry(@Param('id', new IdParam('Incident')) id: string, @Body() body: RetryIncidentBody, @CurrentUser() caller: Principal): Promise<IncidentDto> {
    return this.incidents.retry(id, body.retries, caller);
  }
}
