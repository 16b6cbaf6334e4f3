// Starts the processes of the cluster test: the real `src/main.ts` (apps) and `src/worker.ts`
// (workers) under ts-node transpile-only, as `npm run worker` runs, each with
// cluster-hooks.ts preloaded for the test's IPC requests. Every line the processes write goes to
// one temporary log file, prefixed with the process name; `explain` adds its tail to a failure.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ClusterMessage, ClusterReply, ClusterRequest } from './cluster-hooks';

const ROOT = join(__dirname, '..', '..', '..');
const HOOKS = join(__dirname, 'cluster-hooks.ts');
/** Four processes compile the app with ts-node at once on a shared machine: give them time. */
const READY_TIMEOUT_MS = 150_000;
const LOG_TAIL_LINES = 150;

export type Role = 'app' | 'worker';

export interface ClusterProcess {
  name: string;
  role: Role;
  pid: number;
  /** The app's HTTP base URL (apps only). */
  baseUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  request<T>(request: ClusterRequest): Promise<T>;
  kill(signal: NodeJS.Signals): void;
  isRunning(): boolean;
}

export class Cluster {
  readonly logFile: string;
  private readonly log: WriteStream;
  readonly processes: ClusterProcess[] = [];

  constructor(private readonly env: Record<string, string>) {
    this.logFile = join(mkdtempSync(join(tmpdir(), 'repazoo-cluster-')), 'processes.log');
    this.log = createWriteStream(this.logFile, { flags: 'a' });
  }

  get apps(): ClusterProcess[] {
    return this.processes.filter((process) => process.role === 'app' && process.isRunning());
  }

  get workers(): ClusterProcess[] {
    return this.processes.filter((process) => process.role === 'worker' && process.isRunning());
  }

  get running(): ClusterProcess[] {
    return this.processes.filter((process) => process.isRunning());
  }

  /** Starts the process and resolves once it serves /api/health (apps) or has started its worker (workers). */
  async start(name: string, role: Role, port?: number): Promise<ClusterProcess> {
    const entry = join(ROOT, 'src', role === 'app' ? 'main.ts' : 'worker.ts');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', HOOKS, entry], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...(port ? { PORT: String(port) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let workerStarted = false;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (line.includes('"worker started"')) workerStarted = true;
        this.log.write(`[${name}] ${line}\n`);
      });
    }
    const started: ClusterProcess = {
      name,
      role,
      pid: child.pid!,
      baseUrl: port ? `http://127.0.0.1:${port}` : '',
      exited,
      request: requester(child, name),
      kill: (signal) => child.kill(signal),
      isRunning: () => child.exitCode === null && child.signalCode === null,
    };
    this.processes.push(started);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!started.isRunning()) throw new Error(`${name} exited before it was ready (${child.exitCode ?? child.signalCode}); see ${this.logFile}`);
      const ready = role === 'app' ? await isHealthy(started.baseUrl) : workerStarted;
      if (ready) return started;
      if (Date.now() > deadline) throw new Error(`${name} was not ready after ${READY_TIMEOUT_MS} ms; see ${this.logFile}`);
      await sleep(250);
    }
  }

  /** SIGKILLs every process still running and waits for each to exit. */
  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(async (started) => {
        if (started.isRunning()) started.kill('SIGKILL');
        await started.exited;
      }),
    );
    await new Promise((resolve) => this.log.end(resolve));
  }

  /** Runs `body`; when it fails, the error carries the tail of every process's log. */
  async explain<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const tail = this.logTail();
      if (error instanceof Error) error.message += `\n\n--- last ${LOG_TAIL_LINES} lines of ${this.logFile} ---\n${tail}`;
      throw error;
    }
  }

  logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-LOG_TAIL_LINES).join('\n');
    } catch {
      return '(no log yet)';
    }
  }
}

function requester(child: ChildProcess, name: string): <T>(request: ClusterRequest) => Promise<T> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (reply: ClusterReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) waiting.reject(new Error(`${name}: ${reply.error}`));
    else waiting.resolve(reply.result);
  });
  child.once('exit', () => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${name} exited before it answered`));
    pending.clear();
  });
  return <T>(request: ClusterRequest) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, request } satisfies ClusterMessage);
    });
}

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not so after ${timeoutMs} ms`);
    await sleep(100);
  }
}
