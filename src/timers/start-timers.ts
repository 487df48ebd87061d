import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { type ProcessModel, processStartEvents, type StartEventNode } from '../bpmn/process-model.js';
import { Clock } from '../common/clock.js';
import { DomainError, type ErrorDetail } from '../common/domain-error.js';
import { JsonLogger } from '../common/json-logger.js';
import { evaluateText, isExpression, StepFailure } from '../engine/evaluate.js';
import type { TimerState } from '../engine/types.js';
import { nextDueTime, parseTimer, type TimerDefinitionType } from '../expressions/index.js';
import { TimerRepository, type DueTimer, type StartTimerSpec } from '../persistence/timer.repository.js';
import { CommandExecutor, type CommandSession } from '../runtime/command-executor.js';
import { ModelCache } from '../runtime/model-cache.js';
import { TimerPoller } from './timer-poller.js';

/** How often every replica checks that the latest versions' start timers are in place (a crash after a deploy's commit). */
const REPAIR_EVERY_MS = 60_000;

type FireOutcome =
  | { kind: 'started'; instanceId: string; definitionKey: string; next: string | null }
  | { kind: 'refused'; definitionKey: string; message: string; next: string | null }
  | { kind: 'superseded'; definitionKey: string }
  | { kind: 'gone' }
  | { kind: 'missing' };

/**
 * Timer start events (Camunda semantics). Each timer start event of the LATEST version of a process
 * key is one chain of `timer` rows of kind `start` (no instance; definition_id = that version,
 * element_id = the start event): one pending row at a time, its `timer` document a TimerState.
 *
 * - Deploying a new version (`afterDeploy`) reschedules the key under an exclusive per-key lock:
 *   the older versions' pending start timers are canceled and the new version's start events that
 *   never had a row get their first occurrence. A version without timer start events only cancels.
 *   An identical redeploy (no new version) is not passed here and changes nothing.
 * - At start-up and every minute the keys whose rows do not match their latest version are
 *   rescheduled the same way (a crash between a deploy's commit and its reschedule, models deployed
 *   before this existed). A start event that ever had a row is never scheduled again, so restarts
 *   and replicas never make two chains.
 * - The TimerPoller hands each due row to `fire`, which in ONE transaction flips it from pending to
 *   fired (exactly once, however many replicas poll), inserts the cycle's next occurrence and starts
 *   the instance at that start event. A row of a version that is no longer the latest is canceled
 *   instead, and its key rescheduled.
 */
@Injectable()
export class StartTimers implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new JsonLogger('timers');
  private repairTimer: NodeJS.Timeout | null = null;
  private repairing: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly poller: TimerPoller,
    private readonly timers: TimerRepository,
    private readonly executor: CommandExecutor,
    private readonly models: ModelCache,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.poller.register('start', (timer) => this.fire(timer));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.repair();
    this.repairTimer = setInterval(() => void this.repair(), REPAIR_EVERY_MS);
    this.repairTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.repairTimer) clearInterval(this.repairTimer);
    await this.repairing;
  }

  /**
   * Deploy-time check: every timer start event of `model` must give a first due time now. Literal
   * timers are already checked by the compiler; this catches expressions (evaluated without
   * variables, as Zeebe does for start events).
   */
  problems(model: ProcessModel): ErrorDetail[] {
    const now = this.clock.now();
    return processStartEvents(model).timer.flatMap((node) => {
      const first = firstOccurrence(node, now);
      return first.ok ? [] : [{ elementId: node.id, message: first.message }];
    });
  }

  /** After a deployment: reschedule the keys that got a new version. Never fails the deployment (the repair retries). */
  async afterDeploy(keys: readonly string[]): Promise<void> {
    for (const key of new Set(keys)) {
      try {
        await this.reschedule(key);
      } catch (error) {
        this.logger.error('start timers not rescheduled, the repair will retry', { key, error: messageOf(error) });
      }
    }
  }

  /** Reschedules every key whose start timers do not match its latest version. Returns how many keys. */
  repair(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.repairing ??= (async () => {
      try {
        const keys = await this.timers.keysWithStaleStartTimers();
        await this.afterDeploy(keys);
        return keys.length;
      } catch (error) {
        this.logger.error('start timer repair failed', { error: messageOf(error) });
        return 0;
      } finally {
        this.repairing = null;
      }
    })();
    return this.repairing;
  }

  /** Makes the pending start timers of `key` those of its latest version. */
  async reschedule(key: string): Promise<{ canceled: number; scheduled: number }> {
    const now = this.clock.now();
    const result = await this.timers.syncStartTimers(key, (latest) => this.plan(latest.model as ProcessModel, now), now);
    if (result.canceled > 0 || result.scheduled > 0) {
      this.logger.info('start timers rescheduled', { key, definitionId: result.definitionId, canceled: result.canceled, scheduled: result.scheduled });
    }
    return result;
  }

  private plan(model: ProcessModel, now: Date): StartTimerSpec[] {
    const specs: StartTimerSpec[] = [];
    for (const node of processStartEvents(model).timer) {
      const first = firstOccurrence(node, now);
      if (!first.ok) {
        this.logger.error('timer start event cannot be scheduled', { process: model.id, elementId: node.id, reason: first.message });
        continue;
      }
      specs.push({ elementId: node.id, dueAt: new Date(first.timer.dueAt), timer: { ...first.timer } });
    }
    return specs;
  }

  /** The poller's handler for kind `start`: exactly once by the pending → fired flip in the starting transaction. */
  async fire(due: DueTimer): Promise<void> {
    const definitionId = due.definitionId;
    if (definitionId === null) {
      await this.timers.cancel(due.key);
      return;
    }
    const outcome = await this.executor.session((session) => this.fireIn(session, due.key, definitionId));
    switch (outcome.kind) {
      case 'started':
        this.logger.debug('timer start event fired', { timerKey: due.key, elementId: due.elementId, instanceId: outcome.instanceId, next: outcome.next });
        break;
      case 'refused':
        this.logger.error('timer start event fired but the instance could not start', {
          timerKey: due.key, key: outcome.definitionKey, elementId: due.elementId, reason: outcome.message, next: outcome.next,
        });
        break;
      case 'superseded':
        // A deploy committed but its reschedule has not run (yet, or it crashed): do it now.
        await this.afterDeploy([outcome.definitionKey]);
        break;
      case 'missing':
        await this.timers.cancel(due.key);
        break;
      case 'gone':
        break;
    }
  }

  private async fireIn(session: CommandSession, timerKey: string, definitionId: string): Promise<FireOutcome> {
    const { tx, now } = session;
    const definition = await this.models.get(tx, definitionId);
    if (!definition) return { kind: 'missing' };
    const statements = this.timers.startTimersIn(tx);
    await statements.lockKeyShared(definition.key);
    const latest = await tx.latestDefinition(definition.key);
    if (latest?.id !== definition.id) {
      await statements.markCanceled(timerKey);
      return { kind: 'superseded', definitionKey: definition.key };
    }
    const fired = await statements.markFired(timerKey, now);
    if (!fired) return { kind: 'gone' };

    const next = nextOccurrence(fired.timer, now);
    if (next) {
      await statements.schedule({ definitionId, elementId: fired.elementId, dueAt: new Date(next.dueAt), timer: { ...next }, createdAt: now });
    }
    try {
      const instanceId = await session.start({ definition, startEventId: fired.elementId });
      await statements.recordFired(instanceId, fired.elementId, fired.key, now);
      return { kind: 'started', instanceId, definitionKey: definition.key, next: next?.dueAt ?? null };
    } catch (error) {
      // The engine refused the start (the session is as before it): this occurrence is lost, the
      // chain goes on. Anything else (database) rolls the whole firing back for another round.
      if (!(error instanceof DomainError)) throw error;
      return { kind: 'refused', definitionKey: definition.key, message: error.message, next: next?.dueAt ?? null };
    }
  }
}

type FirstOccurrence = { ok: true; timer: TimerState } | { ok: false; message: string };

/** The first occurrence of a timer start event scheduled at `now`; expressions are evaluated without variables. */
export function firstOccurrence(node: StartEventNode, now: Date): FirstOccurrence {
  const definition = node.eventDefinition;
  if (definition?.type !== 'timer') return { ok: false, message: `'${node.id}' is not a timer start event` };
  const what = `timer start event '${node.id}'`;
  let text: string;
  try {
    text = isExpression(definition.text) ? evaluateText(definition.text, () => ({ found: false }), `${what} ${definition.timerType}`) : definition.text.trim();
  } catch (error) {
    if (error instanceof StepFailure) return { ok: false, message: `${error.message} (evaluated without variables)` };
    throw error;
  }
  const parsed = parseTimer(definition.timerType, text);
  if (!parsed.ok) return { ok: false, message: `${what}: ${parsed.message}` };
  const due = nextDueTime(parsed.schedule, now, 0, now);
  if (!due) return { ok: false, message: `${what}: ${definition.timerType} '${text}' has no due time` };
  return {
    ok: true,
    timer: { timerType: definition.timerType, text, schedule: parsed.schedule, dueAt: due.toISOString(), firedCount: 0, createdAt: now.toISOString() },
  };
}

/** The occurrence after one that fired at `now`: cycles (repeating intervals, cron) only; null when exhausted. */
export function nextOccurrence(document: Record<string, unknown>, now: Date): TimerState | null {
  const timer = document as Partial<TimerState>;
  if (timer.timerType !== ('timeCycle' satisfies TimerDefinitionType) || !timer.schedule || typeof timer.createdAt !== 'string') return null;
  const firedCount = (typeof timer.firedCount === 'number' ? timer.firedCount : 0) + 1;
  const due = nextDueTime(timer.schedule, now, firedCount, new Date(timer.createdAt));
  return due ? ({ ...timer, firedCount, dueAt: due.toISOString() } as TimerState) : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
