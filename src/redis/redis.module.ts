import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JsonLogger } from '../common/json-logger.js';

/**
 * Owns the Redis connections. BullMQ 6 needs ready ioredis clients (it cannot build them from
 * options in its ESM build), and every client we create must be closed on shutdown, or its
 * reconnect loop keeps the process alive and logs forever.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new JsonLogger('redis');
  private readonly clients = new Set<Redis>();
  private lastErrorLoggedAt = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A client for BullMQ queues and workers (blocking commands need maxRetriesPerRequest null). */
  forBullmq(): Redis {
    return this.create({ maxRetriesPerRequest: null });
  }

  /** A client that fails fast while Redis is down instead of queueing commands (health checks). */
  forProbe(): Redis {
    return this.create({ maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 1000 });
  }

  private create(options: { maxRetriesPerRequest: number | null; enableOfflineQueue?: boolean; connectTimeout?: number }): Redis {
    const client = new Redis(this.config.redisUrl, {
      ...options,
      lazyConnect: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    client.on('error', (error) => {
      // ioredis emits an error per reconnect attempt: log at most one line per 10 s.
      const now = Date.now();
      if (now - this.lastErrorLoggedAt > 10_000) {
        this.lastErrorLoggedAt = now;
        this.logger.warn('redis connection error', { error: error.message });
      }
    });
    this.clients.add(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    // QUIT is only answered by a connected server; a client still (re)connecting would wait for one.
    await Promise.all(
      [...this.clients].map(async (client) => {
        if (client.status !== 'ready') return client.disconnect();
        await client.quit().catch(() => client.disconnect());
      }),
    );
    this.clients.clear();
  }
}

@Global()
@Module({ providers: [RedisConnections], exports: [RedisConnections] })
export class RedisModule {}
