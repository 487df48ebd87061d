import { Global, Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';
import { MessagesService } from './messages.service.js';
import { SignalsService } from './signals.service.js';
import { StartEventSubscriptions } from './start-event-subscriptions.js';

/** Signals and messages. Global so DeploymentsService can refresh start-event subscriptions after a deploy. */
@Global()
@Module({
  controllers: [EventsController],
  providers: [SignalsService, MessagesService, StartEventSubscriptions],
  exports: [SignalsService, MessagesService, StartEventSubscriptions],
})
export class EventsModule {}
