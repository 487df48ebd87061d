import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BpmnParserPool, type BpmnParseResult } from '../bpmn/index.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** Nest lifecycle around the worker-thread parser pool: uploads are parsed off the main thread. */
@Injectable()
export class BpmnParser implements OnApplicationShutdown {
  private readonly pool: BpmnParserPool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new BpmnParserPool({ size: 2, deadlineMs: config.parseDeadlineMs });
  }

  parse(xml: string): Promise<BpmnParseResult> {
    return this.pool.parse(xml);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
