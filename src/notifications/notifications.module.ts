import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MailOutboxHandlers } from './mail-outbox.js';
import { MailQueue } from './mail-queue.js';
import { MailReconciler } from './mail-reconciler.js';
import { MailSender } from './mail-sender.js';
import { MailTransport, transportFor } from './mail-transport.js';
import { MailService } from './mail.service.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { TemplateRegistry } from './template-registry.js';

/**
 * Mail: templates compiled at start-up, MailService for other modules, the send-task outbox
 * handler, the BullMQ mail queue with its worker and reconciler, and GET /api/notifications.
 * See docs/notifications.md.
 */
@Module({
  controllers: [NotificationsController],
  providers: [
    TemplateRegistry,
    { provide: MailTransport, inject: [APP_CONFIG], useFactory: (config: AppConfig) => transportFor(config) },
    MailQueue,
    MailSender,
    MailReconciler,
    MailService,
    MailOutboxHandlers,
    NotificationsService,
  ],
  exports: [MailService, TemplateRegistry],
})
export class NotificationsModule {}
