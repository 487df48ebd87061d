import { Module } from '@nestjs/common';
import { CountCompactor } from './count-compactor.js';
import { TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';

/** The worklist API: inboxes, claim/unclaim/assign/complete, comments, bulk actions. */
@Module({
  controllers: [TasksController],
  providers: [TasksService, CountCompactor],
  exports: [TasksService, CountCompactor],
})
export class TasksModule {}
