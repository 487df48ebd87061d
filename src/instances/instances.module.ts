import { Module } from '@nestjs/common';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsService } from './incidents.service.js';
import { InstancesController } from './instances.controller.js';
import { InstancesService } from './instances.service.js';

@Module({
  controllers: [InstancesController, IncidentsController],
  providers: [InstancesService, IncidentsService],
  exports: [InstancesService],
})
export class InstancesModule {}
