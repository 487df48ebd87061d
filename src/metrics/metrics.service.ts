import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { InstanceRepository } from '../persistence/instance.repository.js';

/**
 * One Prometheus registry per app (tests boot several apps in one process, so no global registry).
 * Process metrics come from prom-client; HTTP metrics from the middleware; the rest are read from
 * PostgreSQL on scrape with cheap, index-backed counts.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(instances: InstanceRepository) {
    collectDefaultMetrics({ register: this.registry, prefix: 'flowdesk_' });
    this.httpRequests = new Counter({
      name: 'flowdesk_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'flowdesk_http_request_duration_seconds',
      help: 'HTTP request duration by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'flowdesk_open_incidents',
      help: 'Open incidents',
      registers: [this.registry],
      async collect() {
        this.set(await instances.countOpenIncidents());
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
