import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../identity/index.js';
import { HealthService, type HealthReport } from './health.service.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and dependency check (no auth)' })
  @ApiResponse({ status: 200, description: '`{ "status": "ok", "db": "up", "redis": "up" }`' })
  @ApiResponse({ status: 503, description: 'PostgreSQL or Redis is down' })
  async check(@Res() response: Response): Promise<void> {
    const report: HealthReport = await this.health.check();
    response.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }
}
