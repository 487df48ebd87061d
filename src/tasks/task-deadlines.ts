import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { JsonLogger } from '../common/json-logger.js';
import { TaskDeadlineRepository } from '../persistence/task-deadline.repository.js';
import type { DueTimer } from '../persistence/timer.repository.js';
import { OutboxRelay } from '../runtime/outbox-relay.js';
import { TimerPoller } from '../timers/timer-poller.js';

/**
 * User-task deadlines (API.md, notification headers): the timer poller hands every due
 * `task-deadline` row here; the repository fires it exactly once in its own transaction (reminder
 * mail, overdue notice, or escalation to a group), and the outbox relay sends the mail after commit.
 */
@Injectable()
export class TaskDeadlines implements OnModuleInit {
  private readonly logger = new JsonLogger('task-deadlines');

  constructor(
    private readonly poller: TimerPoller,
    private readonly deadlines: TaskDeadlineRepository,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.poller.register('task-deadline', (timer) => this.fire(timer));
  }

  async fire(timer: DueTimer): Promise<void> {
    const outcome = await this.deadlines.fire(timer.key, this.clock.now());
    if (outcome.kind !== 'fired') return;
    this.relay.kick();
    this.logger.info('task deadline fired', { taskId: outcome.taskId, deadline: outcome.deadline, ...(outcome.next && { next: outcome.next.toISOString() }) });
  }
}
