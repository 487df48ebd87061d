import { Injectable } from '@nestjs/common';
import { type ProcessModel, processStartEvents } from '../bpmn/process-model.js';
import { JsonLogger } from '../common/json-logger.js';
import { compileCached } from '../expressions/index.js';
import { EventRepository, type StartSubscriptionSpec } from '../persistence/event.repository.js';

/**
 * Message and signal start events of the latest version of each process key, kept as rows
 * (`start_subscription`) so a message or signal finds them with one indexed lookup by name.
 *
 * Eager, not lazy: names may be FEEL (`="warehouse-" + "closed"`) and must be evaluated; doing it
 * per correlation would scan every latest model for every message or signal. The rows are replaced
 * after each deployment that adds a version (DeploymentsService), always from the latest version
 * read under a per-key lock, so racing deploys end right; the housekeeping sweep repairs a crash
 * between a deploy's commit and this refresh.
 */
@Injectable()
export class StartEventSubscriptions {
  private readonly logger = new JsonLogger('events');

  constructor(private readonly repository: EventRepository) {}

  /** After a deployment: refresh the keys that got a new version. Never fails the deployment. */
  async afterDeploy(keys: readonly string[]): Promise<void> {
    for (const key of new Set(keys)) {
      try {
        await this.repository.replaceStartSubscriptions(key, (model) => startSubscriptionsOf(model as ProcessModel, this.logger));
      } catch (error) {
        // The deployment is committed; the sweep retries within a minute.
        this.logger.error('start-event subscriptions not refreshed, will retry', { key, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Refreshes every key whose rows do not reflect its latest version. */
  async repair(): Promise<number> {
    const keys = await this.repository.keysWithStaleStartSubscriptions();
    await this.afterDeploy(keys);
    return keys.length;
  }
}

/** The process-level message/signal start events of a model, names evaluated without variables. */
export function startSubscriptionsOf(model: ProcessModel, logger?: JsonLogger): StartSubscriptionSpec[] {
  const starts = processStartEvents(model);
  const out: StartSubscriptionSpec[] = [];
  for (const node of [...starts.message, ...starts.signal]) {
    const definition = node.eventDefinition;
    if (definition?.type !== 'message' && definition?.type !== 'signal') continue;
    const name = staticName(definition.name);
    if (name === null) {
      logger?.warn('start event name does not evaluate to text without variables; the start event cannot be triggered', {
        process: model.id,
        elementId: node.id,
        name: definition.name,
      });
      continue;
    }
    out.push({ elementId: node.id, eventType: definition.type, name });
  }
  return out;
}

function staticName(text: string): string | null {
  const compiled = compileCached(text);
  if (!compiled.ok) return null;
  const result = compiled.expression.evaluate({});
  if (!result.ok) return null;
  if (typeof result.value === 'string' && result.value.trim() !== '') return result.value.trim();
  if (typeof result.value === 'number' && Number.isFinite(result.value)) return String(result.value);
  return null;
}
