import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock.js';
import { CommandExecutor } from './command-executor.js';
import { ModelCache } from './model-cache.js';
import { OutboxRelay } from './outbox-relay.js';
import { TimerWakeups } from './timer-wakeups.js';

/** The durable command executor and what it needs; global because every feature drives the engine. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, ModelCache, CommandExecutor, OutboxRelay, TimerWakeups],
  exports: [Clock, ModelCache, CommandExecutor, OutboxRelay, TimerWakeups],
})
export class RuntimeModule {}
