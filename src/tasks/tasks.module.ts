import { Module } from '@nestjs/common';
import { TaskDeadlineRepository } from '../persistence/task-deadline.repository.js';
import { TimersModule } from '../timers/timers.module.js';
import { CountCompactor } from './count-compactor.js';
import { TaskDeadlines } from './task-deadlines.js';
import { TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';

/** The worklist API: inboxes, claim/unclaim/assign/complete, comments, bulk actions; task deadlines. */
@Module({
  imports: [TimersModule],
  controllers: [TasksController],
  providers: [TasksService, CountCompactor, TaskDeadlineRepository, TaskDeadlines],
  exports: [TasksService, CountCompactor],
})
export class TasksModule {}
