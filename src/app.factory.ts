import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { AppModule } from './app.module.js';
import { badInput } from './common/domain-error.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { JsonLogger, setLogLevel } from './common/json-logger.js';
import type { AppConfig } from './config/config.js';

/** Builds the fully wired application; main.ts and the e2e tests share it, so tests see production wiring. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  setLogLevel(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    logger: new JsonLogger('nest'),
    bodyParser: false,
  });
  app.disable('x-powered-by');
  // JSON bodies are small; raw XML uploads are capped like multipart files (413 past the cap).
  app.use(express.json({ limit: '1mb' }));
  app.use(express.raw({ type: ['application/xml', 'text/xml', 'application/bpmn+xml'], limit: config.maxUploadBytes }));
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      exceptionFactory: (errors) =>
        badInput(
          'Invalid request',
          errors.flatMap((error) => Object.values(error.constraints ?? { invalid: `${error.property} is invalid` }).map((message) => ({ field: error.property, message }))),
        ),
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Flowdesk')
      .setDescription('BPMN 2.0 processes shared by people and machines: deployments, instances, worklist, signals and messages.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
