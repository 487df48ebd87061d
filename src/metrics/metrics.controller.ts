import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../common/api-errors.decorator.js';
import { DomainError } from '../common/domain-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Public } from '../identity/index.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus text. Open by default like /health; METRICS_TOKEN makes it require that bearer token. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)', description: 'No auth unless METRICS_TOKEN is set; then that bearer token is required.' })
  @ApiOkResponse({ description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors([401, 'METRICS_TOKEN is set and the request lacks that bearer token'])
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    if (this.config.metricsToken !== null && authorization !== `Bearer ${this.config.metricsToken}`) {
      throw new DomainError('unauthenticated', 'metrics require the METRICS_TOKEN bearer token');
    }
    response.setHeader('Content-Type', this.metrics.contentType);
    response.send(await this.metrics.render());
  }
}
