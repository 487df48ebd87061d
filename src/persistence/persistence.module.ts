import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions, openDataSource } from './data-source.js';
import { DatabaseProbe } from './database-probe.js';
import { DeploymentRepository } from './deployment.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { EventRepository } from './event.repository.js';
import { InstanceRepository } from './instance.repository.js';
import { JobRepository } from './job.repository.js';
import { NotificationRepository } from './notification.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { RuntimeStore } from './runtime-store.js';
import { TaskRepository } from './task.repository.js';
import { TimerRepository } from './timer.repository.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl, config.databasePoolMax),
      // Our own factory: create the database when missing and migrate before anything queries.
      dataSourceFactory: async (options) => {
        const { url, extra } = options as { url: string; extra: { max: number } };
        return openDataSource(url, extra.max);
      },
    }),
  ],
  providers: [DeploymentRepository, DatabaseProbe, InstanceRepository, RuntimeStore, OutboxRepository, JobRepository, EventRepository, TimerRepository, TaskRepository, DirectoryRepository, NotificationRepository],
  exports: [DeploymentRepository, DatabaseProbe, InstanceRepository, RuntimeStore, OutboxRepository, JobRepository, EventRepository, TimerRepository, TaskRepository, DirectoryRepository, NotificationRepository],
})
export class PersistenceModule {}
