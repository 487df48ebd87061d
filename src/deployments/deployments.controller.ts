import { Controller, Get, Header, HttpCode, Param, ParseIntPipe, Post, Query, Req, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '../common/api-errors.decorator.js';
import { badInput } from '../common/domain-error.js';
import { PageQuery, pageOf } from '../common/page.dto.js';
import { CurrentUser, type Principal, RequireGroups } from '../identity/index.js';
import {
  DefinitionListQuery,
  DeploymentDto,
  DeploymentListDto,
  DeploymentNameQuery,
  ProcessDefinitionDto,
  ProcessDefinitionListDto,
  XmlVersionQuery,
} from './deployment.dto.js';
import { DeploymentsService, type UploadedModel } from './deployments.service.js';
import { IdParam } from '../common/id-param.js';

const MAX_FILES_PER_DEPLOYMENT = 20;
const MODEL_FILE = /\.(bpmn2?|xml)$/i;
const NO_DEFINITION: [404, string] = [404, 'Unknown process definition key'];

@ApiTags('deployments')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Post('deployments')
  @RequireGroups('modeler')
  @UseInterceptors(FilesInterceptor('file', MAX_FILES_PER_DEPLOYMENT))
  @ApiOperation({
    summary: 'Deploy BPMN models (modeler or admin)',
    description:
      'Multipart with one or more `file` parts (.bpmn/.xml) and an optional `name` field, or a raw body with Content-Type application/xml ' +
      '(name from `?name=`). Each changed process adds version N+1; an identical re-deploy adds none (`isNew: false`). ' +
      'Invalid models answer 400 with one `details` entry per problem; files over MAX_UPLOAD_BYTES answer 413.',
  })
  @ApiConsumes('multipart/form-data', 'application/xml')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'array', items: { type: 'string', format: 'binary' } }, name: { type: 'string' } },
      required: ['file'],
    },
  })
  @ApiCreatedResponse({ type: DeploymentDto })
  @ApiErrors(
    [400, 'Invalid model (`details`: one entry per problem, with elementId/line/column where known), no or wrong files, too many files, or an invalid name'],
    403,
    [413, 'A file or the XML body is over MAX_UPLOAD_BYTES'],
  )
  async deploy(
    @Req() request: Request,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Query() query: DeploymentNameQuery,
    @CurrentUser() user: Principal,
  ): Promise<DeploymentDto> {
    const resources = this.resourcesOf(request, files ?? []);
    const formName = typeof request.body?.name === 'string' && request.body.name.trim() !== '' ? String(request.body.name).trim() : undefined;
    return this.deployments.deploy({ name: formName ?? query.name, resources, deployedBy: user.id });
  }

  @Get('deployments')
  @ApiOperation({ summary: 'List deployments, newest first' })
  @ApiOkResponse({ type: DeploymentListDto })
  @ApiErrors([400, 'Invalid page or size'])
  async listDeployments(@Query() query: PageQuery): Promise<DeploymentListDto> {
    const { items, total } = await this.deployments.listDeployments(query.page, query.size);
    return pageOf(items, total, query);
  }

  @Get('deployments/:id')
  @ApiOperation({ summary: 'One deployment with the definitions it produced or matched' })
  @ApiOkResponse({ type: DeploymentDto })
  @ApiErrors([404, 'Unknown deployment id (a malformed id is unknown too)'])
  getDeployment(@Param('id', new IdParam('Deployment')) id: string): Promise<DeploymentDto> {
    return this.deployments.getDeployment(id);
  }

  @Get('process-definitions')
  @ApiOperation({ summary: 'List process definitions (`?key=`, `?latest=true`)' })
  @ApiOkResponse({ type: ProcessDefinitionListDto })
  @ApiErrors([400, 'Invalid filters; `details` names each problem'])
  async listDefinitions(@Query() query: DefinitionListQuery): Promise<ProcessDefinitionListDto> {
    const { items, total } = await this.deployments.listDefinitions(query);
    return pageOf(items, total, query);
  }

  @Get('process-definitions/:key')
  @ApiOperation({ summary: 'The latest version of a process definition' })
  @ApiOkResponse({ type: ProcessDefinitionDto })
  @ApiErrors(NO_DEFINITION)
  getLatest(@Param('key') key: string): Promise<ProcessDefinitionDto> {
    return this.deployments.getDefinition(key);
  }

  @Get('process-definitions/:key/versions/:version')
  @ApiOperation({ summary: 'One version of a process definition' })
  @ApiOkResponse({ type: ProcessDefinitionDto })
  @ApiErrors([400, 'version is not a positive integer'], [404, 'Unknown process definition key, or unknown version of it'])
  getVersion(@Param('key') key: string, @Param('version', new ParseIntPipe({ errorHttpStatusCode: 400 })) version: number): Promise<ProcessDefinitionDto> {
    if (version < 1) throw badInput('version must be a positive integer');
    return this.deployments.getDefinition(key, version);
  }

  @Get('process-definitions/:key/xml')
  @Header('Content-Type', 'application/xml; charset=utf-8')
  @ApiOperation({ summary: 'Download the BPMN XML (latest, or `?version=`)' })
  @ApiProduces('application/xml')
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiOkResponse({ description: 'The XML as deployed', schema: { type: 'string' } })
  @ApiErrors([400, 'Invalid query (version must be a positive integer)'], [404, 'Unknown process definition key, or unknown version of it'])
  getXml(@Param('key') key: string, @Query() query: XmlVersionQuery): Promise<string> {
    return this.deployments.getXml(key, query.version === undefined ? undefined : Number(query.version));
  }

  private resourcesOf(request: Request, files: Express.Multer.File[]): UploadedModel[] {
    if (files.length > 0) {
      const wrongType = files.filter((file) => !MODEL_FILE.test(file.originalname));
      if (wrongType.length > 0) {
        throw badInput(
          'Only .bpmn, .bpmn2 and .xml files can be deployed',
          wrongType.map((file) => ({ message: `'${file.originalname}' is not a .bpmn, .bpmn2 or .xml file` })),
        );
      }
      return files.map((file) => ({ name: file.originalname, bytes: file.buffer }));
    }
    // Raw uploads arrive as a Buffer from the XML body parser registered in app.factory.ts.
    if (Buffer.isBuffer(request.body) && request.body.length > 0) {
      return [{ name: 'model.bpmn', bytes: request.body }];
    }
    throw badInput('No BPMN file in the request: send multipart "file" parts or an application/xml body');
  }
}
