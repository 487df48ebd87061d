import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import multer from 'multer';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BpmnParser } from './bpmn-parser.provider.js';
import { DeploymentsController } from './deployments.controller.js';
import { DeploymentsService } from './deployments.service.js';
import { ProcessFolderDeployer } from './process-folder.deployer.js';

@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      // In memory: models are small and capped by MAX_UPLOAD_BYTES (multer answers 413 past it).
      useFactory: (config: AppConfig) => ({ storage: multer.memoryStorage(), limits: { fileSize: config.maxUploadBytes, files: 20, fields: 5 } }),
    }),
  ],
  controllers: [DeploymentsController],
  providers: [BpmnParser, DeploymentsService, ProcessFolderDeployer],
  exports: [DeploymentsService],
})
export class DeploymentsModule {}
