import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger } from '../common/json-logger.js';
import { OutboxRepository, type OutboxMessage } from '../persistence/outbox.repository.js';

/** Publishes one outbox message (a BullMQ add, a mail, a signal broadcast). Must be idempotent: a
 *  crash after publishing and before the row is marked publishes it again. Throw to retry later. */
export type OutboxHandler = (message: OutboxMessage) => Promise<void>;

const BATCH = 100;
const SAFETY_POLL_MS = 1000;

/**
 * Moves outbox rows to the outside world after commit (DESIGN principle 1). The executor kicks
 * it after every command that wrote rows; a slow poll catches rows committed by other replicas
 * and rows whose publishing failed. Feature modules register a handler per kind at start-up.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new JsonLogger('outbox');
  private readonly handlers = new Map<string, OutboxHandler>();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly outbox: OutboxRepository) {}

  register(kind: string, handler: OutboxHandler): void {
    if (this.handlers.has(kind)) throw new Error(`outbox kind '${kind}' already has a handler`);
    this.handlers.set(kind, handler);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), SAFETY_POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Drains soon; calls while a drain runs make it go round once more (coalesced). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainAll()
      .catch((error: unknown) => this.logger.error('outbox drain failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no drain is running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainAll(): Promise<void> {
    const kinds = [...this.handlers.keys()];
    while (!this.stopped) {
      const claimed = await this.outbox.drain(kinds, BATCH, (messages) => this.publish(messages));
      if (claimed < BATCH) return;
    }
  }

  private async publish(messages: OutboxMessage[]): Promise<{ published: string[]; failed: { id: string; error: string }[] }> {
    const outcomes = await Promise.allSettled(messages.map((message) => this.handlers.get(message.kind)!(message)));
    const published: string[] = [];
    const failed: { id: string; error: string }[] = [];
    outcomes.forEach((outcome, index) => {
      const message = messages[index]!;
      if (outcome.status === 'fulfilled') published.push(message.id);
      else {
        const error = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        this.logger.warn('outbox message not published, will retry', { kind: message.kind, id: message.id, error });
        failed.push({ id: message.id, error });
      }
    });
    return { published, failed };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }
}
