import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DeploymentsModule } from './deployments/deployments.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/index.js';
import { InstancesModule } from './instances/instances.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PersistenceModule } from './persistence/persistence.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RuntimeModule } from './runtime/runtime.module.js';
import { TimersModule } from './timers/timers.module.js';

@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        PersistenceModule,
        RedisModule,
        IdentityModule,
        RuntimeModule,
        HealthModule,
        DeploymentsModule,
        InstancesModule,
        TimersModule,
        MetricsModule,
      ],
    };
  }
}
