import { Injectable } from '@nestjs/common';

/**
 * In-process hint from the command executor to this replica's timer poller: a step just committed a
 * timer due at `dueAt`. A poller asleep until later wakes up for it, so a short timer (PT0.2S, a
 * boundary on a quick task) is not held back by the poll interval. Only a hint: other replicas find
 * the row by polling, and nothing depends on the hint arriving.
 */
@Injectable()
export class TimerWakeups {
  private readonly listeners: ((dueAt: Date) => void)[] = [];

  onScheduled(listener: (dueAt: Date) => void): void {
    this.listeners.push(listener);
  }

  scheduled(dueAt: Date): void {
    for (const listener of this.listeners) listener(dueAt);
  }
}
