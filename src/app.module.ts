import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DeploymentsModule } from './deployments/deployments.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { DbGroupDirectory, DirectoryModule, IdentityModule } from './identity/index.js';
import { InstancesModule } from './instances/instances.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PersistenceModule } from './persistence/persistence.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RuntimeModule } from './runtime/runtime.module.js';
import { TasksModule } from './tasks/tasks.module.js';
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
        IdentityModule.forRoot({ directory: DbGroupDirectory }),
        DirectoryModule,
        RuntimeModule,
        HealthModule,
        DeploymentsModule,
        InstancesModule,
        TasksModule,
        EventsModule,
        JobsModule,
        TimersModule,
        NotificationsModule,
        MetricsModule,
      ],
    };
  }
}
