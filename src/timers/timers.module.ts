import { Module } from '@nestjs/common';
import { TimerPoller } from './timer-poller.js';

@Module({ providers: [TimerPoller], exports: [TimerPoller] })
export class TimersModule {}
