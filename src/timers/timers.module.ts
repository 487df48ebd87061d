import { Global, Module } from '@nestjs/common';
import { StartTimers } from './start-timers.js';
import { TimerPoller } from './timer-poller.js';

/** Due timers of every kind, and timer start events. Global so DeploymentsService can reschedule start timers after a deploy. */
@Global()
@Module({ providers: [TimerPoller, StartTimers], exports: [TimerPoller, StartTimers] })
export class TimersModule {}
