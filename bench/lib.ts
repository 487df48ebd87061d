// Shared measuring and printing helpers for `npm run bench`. A benchmark, never a test: it asserts
// only what it must to know it measured the right thing (e.g. "the instance reached its wait").

/** One printed figure. `key` pairs figures across sections (core.X vs bpmn-engine.X → ratio). */
export interface Figure {
  readonly key: string;
  readonly label: string;
  /** Higher is better (a rate) unless `unit` says otherwise. */
  readonly value: number;
  readonly unit: string;
  /** Median wall-clock microseconds per operation, when the figure is a rate. */
  readonly usPerOp?: number;
  /** Median process CPU microseconds per operation (user + system, all threads incl. GC). */
  readonly cpuUsPerOp?: number;
  /** Slowest and fastest run's rate, to show the noise. */
  readonly spread?: readonly [number, number];
  readonly note?: string;
}

export interface Section {
  readonly name: string;
  readonly title: string;
  run(): Promise<Figure[]>;
}

export interface MeasureOptions {
  /** Untimed warm-up before the first run (JIT, caches, connection pools). */
  readonly warmupMs: number;
  readonly runs: number;
  /** Each run repeats the operation until at least this long has passed. */
  readonly runMs: number;
}

export const DEFAULT_MEASURE: MeasureOptions = { warmupMs: 1000, runs: 5, runMs: 1000 };

export interface Measured {
  /** Median operations per second over the runs. */
  readonly rate: number;
  readonly usPerOp: number;
  readonly cpuUsPerOp: number;
  readonly spread: readonly [number, number];
  readonly runs: readonly { ops: number; wallMs: number; cpuUs: number }[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function cpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * Repeats `batch` (which performs some operations and returns how many) for warm-up, then for
 * `runs` timed runs; reports the median rate and the median CPU per operation. `batch` may be
 * synchronous (no await between calls, so microtask overhead does not pollute µs-level figures).
 */
export async function measure(batch: () => number | Promise<number>, options: MeasureOptions = DEFAULT_MEASURE): Promise<Measured> {
  const once = async (ms: number) => {
    const cpu0 = cpuUs();
    const t0 = performance.now();
    let ops = 0;
    let elapsed = 0;
    while (elapsed < ms) {
      const done = batch();
      ops += typeof done === 'number' ? done : await done;
      elapsed = performance.now() - t0;
    }
    return { ops, wallMs: elapsed, cpuUs: cpuUs() - cpu0 };
  };
  await once(options.warmupMs);
  const runs = [];
  for (let i = 0; i < options.runs; i++) runs.push(await once(options.runMs));
  return summarise(runs);
}

export function summarise(runs: { ops: number; wallMs: number; cpuUs: number }[]): Measured {
  const rates = runs.map((r) => (r.ops * 1000) / r.wallMs);
  const rate = median(rates);
  return { rate, usPerOp: 1e6 / rate, cpuUsPerOp: median(runs.map((r) => r.cpuUs / r.ops)), spread: [Math.min(...rates), Math.max(...rates)], runs };
}

/** A Figure from a measurement. */
export function rateFigure(key: string, label: string, unit: string, m: Measured, note?: string): Figure {
  return { key, label, value: m.rate, unit, usPerOp: m.usPerOp, cpuUsPerOp: m.cpuUsPerOp, spread: m.spread, note };
}

/** Runs `worker` on `concurrency` parallel loops until `ms` elapsed; each call is one operation. */
export async function concurrently(concurrency: number, ms: number, worker: () => Promise<void>): Promise<{ ops: number; wallMs: number; cpuUs: number }> {
  const cpu0 = cpuUs();
  const t0 = performance.now();
  let ops = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - t0 < ms) {
        await worker();
        ops++;
      }
    }),
  );
  return { ops, wallMs: performance.now() - t0, cpuUs: cpuUs() - cpu0 };
}

/** Runs every item through `worker` with at most `concurrency` in flight. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, worker: (item: T) => Promise<void>): Promise<{ ops: number; wallMs: number; cpuUs: number }> {
  const cpu0 = cpuUs();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await worker(items[next++]!);
    }),
  );
  return { ops: items.length, wallMs: performance.now() - t0, cpuUs: cpuUs() - cpu0 };
}

// ───────────────────────────── printing ─────────────────────────────

export function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
