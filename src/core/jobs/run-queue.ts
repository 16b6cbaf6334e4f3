// The queue under the run engine. The database row is the source of truth for a run; the queue
// only holds "execute run X (not before T)", keyed by the run id so a run has at most one job.
// BullMQ in server mode, an in-memory queue with timers in embedded mode.

/** What the queue does with a job once it has been processed. */
export type RunStep = { kind: 'done' } | { kind: 'delay'; delayMs: number };

/** Executes (one attempt of) a run; resolves with what to do next, rejects on infrastructure errors. */
export type RunProcessor = (runId: string) => Promise<RunStep>;

export interface RunQueueCloseOptions {
  /** How long active jobs may finish on their own. */
  graceMs: number;
  /** Called once the grace is over with jobs still active (the engine aborts them). */
  onGraceExpired: () => void;
}

export abstract class RunQueue {
  abstract readonly driver: 'bullmq' | 'in-process';

  /** Adds the run's job, to be executed after `delayMs`. Idempotent while the run has a live job. */
  abstract enqueue(runId: string, delayMs?: number): Promise<void>;

  /** Removes the run's waiting or delayed job. False when there is none, or it is being executed. */
  abstract remove(runId: string): Promise<boolean>;

  /** Whether the run has a live job (waiting, delayed or being executed). */
  abstract isQueued(runId: string): Promise<boolean>;

  /** Starts executing jobs in this process. */
  abstract startWorker(processor: RunProcessor): Promise<void>;

  /** Shutdown, step one: take no new job from now on; jobs being executed go on. Idempotent. */
  abstract stopTaking(): void;

  /** Stops taking jobs, lets the active ones finish within the grace (or aborts them), and releases connections. */
  abstract close(options: RunQueueCloseOptions): Promise<void>;
}

/** Resolves true when `promise` settles within `ms`, false otherwise (it keeps running). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
