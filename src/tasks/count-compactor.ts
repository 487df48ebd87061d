import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger } from '../common/json-logger.js';
import { TaskRepository } from '../persistence/task.repository.js';

const EVERY_MS = 5_000;
const BATCH = 50_000;

/**
 * Folds the open-task counter deltas that user_task triggers append into the per-key totals, so
 * the inbox totals read a handful of rows. Any replica may run it; they take turns on an advisory
 * lock. Reads stay exact whether or not it has run (they add the pending deltas).
 */
@Injectable()
export class CountCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new JsonLogger('tasks');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly tasks: TaskRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Folds until nothing is pending (or another replica holds the lock). */
  async compact(): Promise<number> {
    let total = 0;
    for (;;) {
      const folded = await this.tasks.compactCounts(BATCH);
      total += folded;
      if (folded < BATCH) return total;
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.compact().then(
      () => undefined,
      (error: unknown) => this.logger.warn('task counter compaction failed, will retry', { error: error instanceof Error ? error.message : String(error) }),
    );
    await this.running;
    this.running = null;
  }
}
