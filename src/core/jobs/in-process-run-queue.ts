// Embedded mode's queue: jobs live in memory (delays are timers), executed by this process with
// bounded concurrency. Nothing survives a restart, which is why the engine re-enqueues the
// PENDING and RUNNING runs it finds in the database at boot.
import { Logger } from '@nestjs/common';
import { RunProcessor, RunQueue, RunQueueCloseOptions, settlesWithin } from './run-queue';

/** After an infrastructure error (the database unreachable, say) the job is tried again after this. */
const INFRASTRUCTURE_RETRY_MS = 5_000;
/** After the grace period and the abort, how long aborted jobs get to hand their runs back. */
const ABORT_SETTLE_MS = 2_000;

interface Entry {
  state: 'delayed' | 'waiting' | 'active';
  timer?: NodeJS.Timeout;
}

export class InProcessRunQueue extends RunQueue {
  readonly driver = 'in-process' as const;
  private readonly logger = new Logger('InProcessRunQueue');
  private readonly entries = new Map<string, Entry>();
  private readonly ready: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private processor: RunProcessor | undefined;
  private closed = false;

  constructor(private readonly concurrency: number) {
    super();
  }

  async enqueue(runId: string, delayMs = 0): Promise<void> {
    // Shutting down (a request still in flight started a run): the run stays PENDING in the
    // database and the next start re-enqueues it, instead of failing work the caller was promised.
    if (this.closed) return;
    if (this.entries.has(runId)) return;
    this.schedule(runId, delayMs);
  }

  async remove(runId: string): Promise<boolean> {
    const entry = this.entries.get(runId);
    if (!entry || entry.state === 'active') return false;
    clearTimeout(entry.timer);
    this.entries.delete(runId);
    const index = this.ready.indexOf(runId);
    if (index >= 0) this.ready.splice(index, 1);
    return true;
  }

  async isQueued(runId: string): Promise<boolean> {
    return this.entries.has(runId);
  }

  async startWorker(processor: RunProcessor): Promise<void> {
    this.processor = processor;
    this.pump();
  }

  stopTaking(): void {
    this.closed = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.ready.length = 0;
  }

  async close({ graceMs, onGraceExpired }: RunQueueCloseOptions): Promise<void> {
    this.stopTaking();
    const draining = Promise.all([...this.running]);
    if (await settlesWithin(draining, graceMs)) return;
    onGraceExpired();
    if (!(await settlesWithin(draining, ABORT_SETTLE_MS))) {
      this.logger.warn(`${this.running.size} run(s) did not stop in time; they are recovered at the next start`);
    }
  }

  private schedule(runId: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.entries.set(runId, { state: 'waiting' });
      this.ready.push(runId);
      this.pump();
      return;
    }
    const entry: Entry = { state: 'delayed' };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.state = 'waiting';
      this.ready.push(runId);
      this.pump();
    }, delayMs);
    this.entries.set(runId, entry);
  }

  private pump(): void {
    const processor = this.processor;
    if (!processor) return;
    while (!this.closed && this.running.size < this.concurrency && this.ready.length > 0) {
      const runId = this.ready.shift() as string;
      const entry = this.entries.get(runId);
      if (!entry) continue;
      entry.state = 'active';
      const execution = this.execute(processor, runId).finally(() => {
        this.running.delete(execution);
        this.pump();
      });
      this.running.add(execution);
    }
  }

  private async execute(processor: RunProcessor, runId: string): Promise<void> {
    let nextDelayMs: number | undefined;
    try {
      const step = await processor(runId);
      if (step.kind === 'delay') nextDelayMs = step.delayMs;
    } catch (error) {
      this.logger.error({ msg: 'run execution failed; retrying later', runId, err: error });
      nextDelayMs = INFRASTRUCTURE_RETRY_MS;
    }
    this.entries.delete(runId);
    if (nextDelayMs !== undefined && !this.closed) this.schedule(runId, nextDelayMs);
  }
}
