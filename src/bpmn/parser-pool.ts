// Parses uploads off the main thread, so a hostile or huge model never blocks other requests
// (bpmn-moddle spent 30 s on one 0.5 MB file of unknown elements on the main thread). Each parse
// has a deadline; a worker that overruns or dies is terminated and replaced, and the caller gets a
// problem result, never a rejection.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseRequest, WorkerMessage } from './parse-worker.js';
import { deepFreeze } from './parse-bpmn.js';
import type { BpmnLimits, BpmnParseResult } from './types.js';

export interface BpmnParserPoolOptions {
  /** Number of workers (1–2 is plenty: parses are short and uploads rare). */
  size?: number;
  deadlineMs?: number;
  limits?: Partial<BpmnLimits>;
  /** Heap per worker; a model that needs more is refused, not the service killed. */
  maxHeapMb?: number;
}

interface Task {
  id: number;
  xml: string | Uint8Array;
  resolve: (r: BpmnParseResult) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
}

const DEFAULT_DEADLINE_MS = 5_000;

/**
 * The worker entry beside this module: parse-worker.js once compiled to dist/, parse-worker.ts
 * under tsx or jest. Node 20 ignores `--import tsx` in a worker's execArgv for the entry module,
 * so the .ts entry is started by a small bootstrap that registers tsx's loader and then imports it.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return { script: new URL('./parse-worker.js', import.meta.url), eval: false };
  const entry = new URL('./parse-worker.ts', import.meta.url).href;
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const script = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, eval: true };
}

export class BpmnParserPool {
  private readonly size: number;
  private readonly deadlineMs: number;
  private readonly limits: Partial<BpmnLimits> | undefined;
  private readonly maxHeapMb: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: BpmnParserPoolOptions = {}) {
    this.size = Math.max(1, Math.min(opts.size ?? 1, 4));
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.limits = opts.limits;
    this.maxHeapMb = opts.maxHeapMb ?? 256;
  }

  /** Accepts the uploaded bytes (decoded by their XML declaration) or already-decoded text. */
  parse(xml: string | Uint8Array): Promise<BpmnParseResult> {
    if (this.closed) return Promise.resolve(failure('the BPMN parser is shut down'));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, xml, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.resolve(failure('the BPMN parser is shut down'));
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        clearTimeout(slot.timer);
        slot.task?.resolve(failure('the BPMN parser is shut down'));
        await slot.worker.terminate();
      }),
    );
  }

  private pump(): void {
    while (this.slots.length < this.size && this.queue.length > this.slots.filter((s) => !s.task).length) this.spawn();
    for (const slot of this.slots) {
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift();
      if (!task) return;
      this.run(slot, task);
    }
  }

  private spawn(): void {
    const entry = workerEntry();
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    // Idle workers must not keep the process alive; a running parse holds its deadline timer.
    worker.unref();
    const slot: Slot = { worker, ready: false };
    this.slots.push(slot);
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        this.pump();
      } else if (slot.task?.id === msg.id) {
        const task = slot.task;
        clearTimeout(slot.timer);
        slot.task = undefined;
        if (msg.result.ok) deepFreeze(msg.result.processes);
        task.resolve(msg.result);
        this.pump();
      }
    });
    // 'error' covers uncaught exceptions and ERR_WORKER_OUT_OF_MEMORY; 'exit' follows it.
    worker.on('error', (err) => this.retire(slot, `the model could not be parsed: the parser failed (${err.message})`));
    worker.on('exit', (code) => this.retire(slot, `the model could not be parsed: the parser stopped (exit code ${code})`));
  }

  private run(slot: Slot, task: Task): void {
    slot.task = task;
    slot.timer = setTimeout(() => {
      this.retire(slot, `the model took longer than ${this.deadlineMs / 1000} s to parse and was refused`);
      void slot.worker.terminate();
    }, this.deadlineMs);
    const req: ParseRequest = { id: task.id, xml: task.xml, ...(this.limits && { limits: this.limits }) };
    slot.worker.postMessage(req);
  }

  /** Takes a worker out of service: its task (if any) fails with `message`, a fresh worker takes its place on demand. */
  private retire(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    clearTimeout(slot.timer);
    // A worker that dies before it is ready would die again: fail a waiting parse instead of respawning forever.
    const task = slot.task ?? (slot.ready ? undefined : this.queue.shift());
    slot.task = undefined;
    task?.resolve(failure(message));
    if (!this.closed) this.pump();
  }
}

function failure(message: string): BpmnParseResult {
  return { ok: false, problems: [{ message }] };
}
