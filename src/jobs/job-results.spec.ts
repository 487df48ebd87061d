import { DomainError } from '../common/domain-error.js';
import type { AppConfig } from '../config/config.js';
import type { Command } from '../engine/types.js';
import type { JobRepository } from '../persistence/job.repository.js';
import type { RedisConnections } from '../redis/redis.module.js';
import type { CommandExecutor, CommandSession } from '../runtime/command-executor.js';
import { InstanceSuspended, JobResults } from './job-results.js';
import type { JobTransport } from './job-transport.js';

// The batching of results around the executor (the executor itself is tested against PostgreSQL).

type Behaviour = (instanceId: string, command: Command) => Promise<'applied' | 'stale'>;

function harness(behaviour: Behaviour, options: { failCommit?: boolean; status?: string } = {}) {
  const sessions: { roots: string[]; commands: string[] }[] = [];
  const singles: string[] = [];
  const executor = {
    async session<T>(work: (session: CommandSession) => Promise<T>): Promise<T> {
      const record = { roots: [] as string[], commands: [] as string[] };
      sessions.push(record);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const result = await work({
        lockRoots: async (ids: readonly string[]) => {
          record.roots.push(...ids);
          return [...ids];
        },
        execute: async (instanceId: string, command: Command) => {
          record.commands.push(`${instanceId}:${command.type}`);
          return behaviour(instanceId, command);
        },
      } as unknown as CommandSession);
      if (options.failCommit) throw new Error('commit failed');
      return result;
    },
    async execute(instanceId: string, command: Command) {
      singles.push(`${instanceId}:${command.type}`);
      return behaviour(instanceId, command);
    },
  } as unknown as CommandExecutor;
  const jobs = { instanceStatus: async () => options.status ?? 'canceled' } as unknown as JobRepository;
  const results = new JobResults(executor, jobs, {} as JobTransport, {} as RedisConnections, { bullmqPrefix: 'x' } as AppConfig);
  return { results, sessions, singles };
}

const ok = { kind: 'returned', value: { a: 1 } } as const;

describe('JobResults batching', () => {
  it('applies a lone result at once and what arrives meanwhile together, roots locked sorted and once', async () => {
    const { results, sessions } = harness(async () => 'applied');
    const outcomes = await Promise.all([
      results.apply({ jobKey: 'k1', processInstanceId: 'i1' }, ok),
      results.apply({ jobKey: 'k2', processInstanceId: 'i2' }, ok),
      results.apply({ jobKey: 'k3', processInstanceId: 'i9', rootInstanceId: 'r9' }, ok),
      results.apply({ jobKey: 'k4', processInstanceId: 'i3' }, { kind: 'failed', reason: 'boom' }),
      results.apply({ jobKey: 'k5', processInstanceId: 'i3' }, ok),
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(sessions).toEqual([
      { roots: ['i1'], commands: ['i1:completeJob'] },
      { roots: ['i2', 'i3', 'r9'], commands: ['i2:completeJob', 'i9:completeJob', 'i3:failJob', 'i3:completeJob'] },
    ]);
  });

  it('settles each result of a batch by itself: applied, stale, gone, suspended, retried', async () => {
    const { results } = harness(async (instanceId) => {
      if (instanceId === 'stale') return 'stale';
      if (instanceId === 'gone') throw new DomainError('not-found', 'no such instance');
      if (instanceId === 'busy') throw new DomainError('conflict', 'not active or suspended');
      if (instanceId === 'broken') throw new Error('bug');
      return 'applied';
    }, { status: 'suspended' });
    const settled = await Promise.allSettled(['first', 'fine', 'stale', 'gone', 'busy', 'broken'].map((id) => results.apply({ jobKey: id, processInstanceId: id }, ok)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).name === 'InstanceSuspended' ? 'suspended' : (s.reason as Error).message))).toEqual([
      'applied',
      'applied',
      'stale',
      'gone',
      'suspended',
      'bug',
    ]);
    expect((settled[4] as PromiseRejectedResult).reason).toBeInstanceOf(InstanceSuspended);
  });

  it('treats a conflict on an instance that is no longer active as stale', async () => {
    const { results } = harness(async () => {
      throw new DomainError('conflict', 'instance is not active');
    }, { status: 'canceled' });
    await expect(results.apply({ jobKey: 'k', processInstanceId: 'i' }, ok)).resolves.toBe('stale');
  });

  it('falls back to one transaction per result when a batch cannot commit', async () => {
    const { results, sessions, singles } = harness(async () => 'applied', { failCommit: true });
    const settled = await Promise.allSettled(['a', 'b', 'c', 'd'].map((id) => results.apply({ jobKey: id, processInstanceId: id }, ok)));
    // a went alone (its commit failed: rejected, BullMQ retries it); b, c and d were batched, then applied one by one.
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(sessions.map((s) => s.roots)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(singles).toEqual(['b:completeJob', 'c:completeJob', 'd:completeJob']);
  });
});
