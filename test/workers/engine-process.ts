// Runs the Flowdesk engine as a child process, so a test can kill it with SIGKILL mid-flight or run
// two replicas on one database. src/ is transpiled once per test file (TypeScript's transpileModule:
// no type-check, decorator metadata emitted as Nest needs it) into node_modules/.cache, where the
// app's dependencies resolve; a replica then boots from plain JavaScript in about a second.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface EngineBuild {
  readonly main: string;
  remove(): Promise<void>;
}

export async function buildEngine(): Promise<EngineBuild> {
  const cache = join(ROOT, 'node_modules', '.cache');
  await removeAbandonedBuilds(cache);
  const out = join(cache, `flowdesk-engine-${process.pid}-${randomBytes(3).toString('hex')}`);
  const compilerOptions: ts.CompilerOptions = {
    module: ts.ModuleKind.ES2022,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    isolatedModules: true,
    esModuleInterop: true,
    useDefineForClassFields: true,
  };
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
    return files.flat();
  };
  const sources = (await walk(join(ROOT, 'src'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts'));
  await Promise.all(
    sources.map(async (file) => {
      const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), { compilerOptions, fileName: file });
      const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }),
  );
  await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  return { main: join(out, 'src', 'main.js'), remove: () => rm(out, { recursive: true, force: true }) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Builds left by test processes that died before removing them (named after their pid). */
async function removeAbandonedBuilds(cache: string): Promise<void> {
  const entries = await readdir(cache).catch(() => [] as string[]);
  for (const name of entries) {
    const pid = Number(/^flowdesk-engine-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await rm(join(cache, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One engine replica: `node main.js` with the given environment, on its own port. */
export class EngineProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(build: EngineBuild, env: Record<string, string>): Promise<EngineProcess> {
    for (let attempt = 1; ; attempt++) {
      // A port the OS just handed out; another process may still take it first, hence the retry.
      const port = await freePort();
      const child = spawn(process.execPath, ['--enable-source-maps', build.main], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const engine = new EngineProcess(child, `http://127.0.0.1:${port}`);
      try {
        await engine.ready();
        return engine;
      } catch (error) {
        if (attempt < 3 && engine.log().includes('EADDRINUSE')) continue;
        throw error;
      }
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends a signal to this process only (by its pid). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The process's log so far (for failure messages). */
  log(): string {
    return this.output.join('');
  }

  private async ready(): Promise<void> {
    const deadline = Date.now() + 30_000;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`engine exited with ${exitCode} during start-up:\n${this.log()}`);
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.kill('SIGKILL');
    throw new Error(`engine did not become healthy in 30 s:\n${this.log()}`);
  }
}
