// `npm run bench` runs every section; `npm run bench -- core runtime` runs the named ones;
// `npm run bench -- --list` lists them. A new section is a `*.bench.ts` file exporting a `Section`
// plus one entry in SECTIONS (loaded lazily: running `core` alone never loads Nest or PostgreSQL).
// Figures whose keys match between `core` and `bpmn-engine` get a ratio row.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fmt, type Figure, type Section, table } from './lib.js';

interface SectionEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Section>;
}

const SECTIONS: readonly SectionEntry[] = [
  { name: 'core', summary: 'Flowdesk engine core, in-process', load: async () => (await import('./core.bench.js')).coreSection },
  { name: 'bpmn-engine', summary: 'npm bpmn-engine on the same BPMN files', load: async () => (await import('./bpmn-engine.bench.js')).bpmnEngineSection },
  { name: 'runtime', summary: 'Flowdesk runtime on PostgreSQL (fresh database)', load: async () => (await import('./runtime.bench.js')).runtimeSection },
  { name: 'jobs', summary: 'Service tasks through BullMQ: instances/s and worker return → next wait (fresh database)', load: async () => (await import('./jobs.bench.js')).jobsSection },
  { name: 'signals', summary: 'Signal fan-out to 10,000 waiting instances (fresh database)', load: async () => (await import('./signals.bench.js')).signalsSection },
  { name: 'timers', summary: 'Timer firing lag with 10,000 pending timers, one replica (BENCH_TIMER_REPLICAS=2: also two) (fresh database)', load: async () => (await import('./timers.bench.js')).timersSection },
  { name: 'inbox', summary: 'Worklist queries at 1,000,000 open tasks (fresh database, seeded)', load: async () => (await import('./inbox.bench.js')).inboxSection },
];

/** Pairs of sections compared figure by figure (same key): [ours, theirs]. */
const COMPARISONS: readonly (readonly [string, string])[] = [['core', 'bpmn-engine']];

function header(): string {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a checkout
  }
  return [
    'Flowdesk benchmark',
    `  machine: ${cpus.length} CPUs (os.cpus().length), ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    `  node ${process.version}, commit ${commit}, ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews every figure)`,
    '  rates are medians of several timed runs after a warm-up; µs/op is wall time, CPU µs/op is process CPU (all threads, GC included)',
  ].join('\n');
}

function printSection(section: Section, figures: readonly Figure[], seconds: number): void {
  // Long notes become footnotes below the table, so the table stays readable.
  const footnotes: string[] = [];
  const note = (text = '') => {
    if (text.length <= 50) return text;
    footnotes.push(`  [${footnotes.length + 1}] ${text}`);
    return `[${footnotes.length}]`;
  };
  console.log(`\n${section.title}  [${section.name}, ${seconds.toFixed(1)} s]`);
  console.log(
    table(
      ['measure', 'median', 'unit', 'runs min–max', 'µs/op', 'CPU µs/op', 'note'],
      figures.map((f) => [f.label, fmt(f.value), f.unit, f.spread ? `${fmt(f.spread[0])}–${fmt(f.spread[1])}` : '', fmt(f.usPerOp), fmt(f.cpuUsPerOp), note(f.note)]),
      [false, true, false, true, true, true, false],
    ),
  );
  if (footnotes.length > 0) console.log(footnotes.join('\n'));
}

function printComparisons(results: ReadonlyMap<string, readonly Figure[]>): void {
  for (const [ours, theirs] of COMPARISONS) {
    const a = results.get(ours);
    const b = results.get(theirs);
    if (!a || !b) continue;
    const rows = a.flatMap((fa) => {
      const fb = b.find((f) => f.key === fa.key);
      if (!fb || !Number.isFinite(fa.value) || !Number.isFinite(fb.value)) return [];
      const cpuRatio = fa.cpuUsPerOp && fb.cpuUsPerOp ? `${fmt(fb.cpuUsPerOp / fa.cpuUsPerOp)}×` : '—';
      return [[fa.label, `${fmt(fa.value)} ${fa.unit}`, `${fmt(fb.value)} ${fb.unit}`, `${fmt(fa.value / fb.value)}×`, cpuRatio]];
    });
    console.log(`\nRatio ${ours} / ${theirs} (same BPMN files)`);
    console.log(table(['measure', ours, theirs, 'ours/theirs (rate)', 'CPU per op, theirs/ours'], rows, [false, true, true, true, true]));
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--list') || args.includes('--help')) {
    for (const s of SECTIONS) console.log(`${s.name.padEnd(14)} ${s.summary}`);
    return;
  }
  const unknown = args.filter((a) => !SECTIONS.some((s) => s.name === a));
  if (unknown.length > 0) {
    console.error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const chosen = args.length === 0 ? SECTIONS : SECTIONS.filter((s) => args.includes(s.name));

  console.log(header());
  const results = new Map<string, readonly Figure[]>();
  const t0 = performance.now();
  for (const entry of chosen) {
    const section = await entry.load();
    const started = performance.now();
    const figures = await section.run();
    results.set(section.name, figures);
    printSection(section, figures, (performance.now() - started) / 1000);
  }
  printComparisons(results);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  // The app's pools, Redis clients and bpmn-engine instances are closed or idle; exit promptly.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
