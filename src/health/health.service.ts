import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DatabaseProbe } from '../persistence/database-probe.js';
import { RedisConnections } from '../redis/redis.module.js';

export interface HealthReport {
  status: 'ok' | 'error';
  db: 'up' | 'down';
  redis: 'up' | 'down';
}

const PROBE_TIMEOUT_MS = 800;

@Injectable()
export class HealthService implements OnModuleInit {
  private redis: Redis;

  constructor(
    private readonly database: DatabaseProbe,
    private readonly connections: RedisConnections,
  ) {}

  onModuleInit(): void {
    this.redis = this.connections.forProbe();
  }

  /** Both probes run in parallel and are bounded, so /health answers within a second even when a dependency hangs. */
  async check(): Promise<HealthReport> {
    const [db, redis] = await Promise.all([
      withTimeout(this.database.ping(), PROBE_TIMEOUT_MS),
      withTimeout(this.pingRedis(), PROBE_TIMEOUT_MS),
    ]);
    return { status: db && redis ? 'ok' : 'error', db: db ? 'up' : 'down', redis: redis ? 'up' : 'down' };
  }

  /** The probe client refuses commands until connected (no offline queue): wait for it within the bound. */
  private async pingRedis(): Promise<boolean> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, PROBE_TIMEOUT_MS);
        this.redis.once('ready', done);
      });
    }
    return (await this.redis.ping()) === 'PONG';
  }
}

async function withTimeout(probe: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([probe.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
