// Server mode's queue: one BullMQ queue (job id = run id), executed by workers in any number of
// processes. A worker that dies mid-run stops renewing its job's lock; after `lockDurationMs` the
// stalled-job check of any live worker moves the job back to waiting, and the engine resumes the
// run with the next attempt.
import { Logger } from '@nestjs/common';
import { DelayedError, JobsOptions as BullJobOptions, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { redactForLog } from '../logging/redact-for-log';
import { RedisOutageLog } from '../redis/redis-outage-log';
import { RunProcessor, RunQueue, RunQueueCloseOptions, settlesWithin } from './run-queue';

/** The only BullMQ job name; the run row says which handler runs. */
const BULL_JOB_NAME = 'run';
const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
const REMOVABLE_STATES = new Set(['waiting', 'delayed', 'prioritized']);
/** After the grace period and the abort, how long aborted jobs get to hand their runs back. */
const ABORT_SETTLE_MS = 2_000;
/** Each Redis step of closing (BullMQ writing the last outcomes, closing the queue) gets this long. */
const CLOSE_TIMEOUT_MS = 1_000;

export interface QueuedRun {
  runId: string;
}

export interface BullMqRunQueueOptions {
  redisUrl: string;
  queueName: string;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

const JOB_OPTIONS: BullJobOptions = {
  // Handler failures are the engine's business (it reschedules through moveToDelayed); BullMQ's
  // own attempts only retry infrastructure errors, e.g. the database being unreachable.
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/**
 * BullMQ keeps a failed job's `failedReason` and stack in Redis for days, past the redacting
 * logger: an infrastructure error (a database error quotes the row's values) is redacted, with
 * the log profile, before BullMQ sees it.
 */
export function redactedForRedis(error: unknown): Error {
  const redacted = redactForLog(error instanceof Error ? error : new Error(String(error))) as unknown as Record<string, unknown>;
  const safe = new Error(typeof redacted.message === 'string' ? redacted.message : 'run processor failed');
  safe.name = typeof redacted.type === 'string' ? redacted.type : typeof redacted.name === 'string' ? redacted.name : 'Error';
  safe.stack = typeof redacted.stack === 'string' ? redacted.stack : undefined;
  return safe;
}

export class BullMqRunQueue extends RunQueue {
  readonly driver = 'bullmq' as const;
  private readonly logger = new Logger('BullMqRunQueue');
  private readonly outage = new RedisOutageLog(this.logger, 'run queue');
  /** BullMQ needs `maxRetriesPerRequest: null`; the app's shared client fails fast instead. */
  private readonly connection: Redis;
  private readonly queue: Queue<QueuedRun>;
  private worker: Worker<QueuedRun> | undefined;
  /** The processor calls in progress: what shutdown waits for (BullMQ's own wait also needs Redis). */
  private readonly processing = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: BullMqRunQueueOptions) {
    super();
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectionName: `${options.queueName}-queue` });
    this.queue = new Queue<QueuedRun>(options.queueName, { connection: this.connection, prefix: options.prefix });
    // The queue and the worker re-emit the connection's errors: one outage, one warning.
    this.outage.watch(this.connection).watchErrors(this.queue, 'run queue');
  }

  async enqueue(runId: string, delayMs = 0): Promise<void> {
    const existing = await this.queue.getJob(runId);
    if (existing) {
      const state = await existing.getState();
      if (LIVE_STATES.has(state)) return;
      // A finished job keeps its id until removed; the run needs a new one (recovery).
      await existing.remove();
    }
    await this.queue.add(BULL_JOB_NAME, { runId }, { ...JOB_OPTIONS, jobId: runId, delay: Math.max(0, Math.ceil(delayMs)) });
  }

  async remove(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    if (!job || !REMOVABLE_STATES.has(await job.getState())) return false;
    // 0 when a worker locked it meanwhile.
    return (await this.queue.remove(runId)) === 1;
  }

  async isQueued(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    return job !== undefined && LIVE_STATES.has(await job.getState());
  }

  async startWorker(processor: RunProcessor): Promise<void> {
    const worker = new Worker<QueuedRun>(
      this.options.queueName,
      async (job, token) => {
        if (this.stopping) {
          // A fetch that was in flight when the worker paused can still hand it a job (BullMQ does
          // not check the pause again): give it straight back, untouched, for another worker.
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
        const step = await this.track(processor(job.data.runId)).catch((error: unknown) => {
          throw redactedForRedis(error);
        });
        if (step.kind === 'delay') {
          await job.moveToDelayed(Date.now() + Math.max(0, Math.ceil(step.delayMs)), token);
          throw new DelayedError();
        }
      },
      {
        connection: this.connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockDurationMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: this.options.maxStalledCount,
      },
    );
    this.outage.watchErrors(worker, 'run worker');
    worker.on('failed', (job, error) =>
      this.logger.warn({ msg: 'run job failed (infrastructure); BullMQ retries it', runId: job?.data.runId, err: error }),
    );
    worker.on('stalled', (jobId) => this.logger.warn({ msg: 'run job stalled (its worker stopped); it is picked up again', runId: jobId }));
    // Not awaited: the app boots while Redis is down, and the worker connects once it is back.
    this.worker = worker;
  }

  stopTaking(): void {
    this.stopping = true;
    // A local flag: it works while Redis is down. `true`: do not wait for the active jobs here.
    void this.worker?.pause(true).catch((error: unknown) => this.logger.warn({ msg: 'worker pause failed', err: error }));
  }

  /** Keeps `processing` current: a processor call is in it until it settles. */
  private track<T>(processing: Promise<T>): Promise<T> {
    this.processing.add(processing);
    void processing.finally(() => this.processing.delete(processing)).catch(() => undefined);
    return processing;
  }

  /**
   * Waits for this process's runs, not for BullMQ's graceful close: that one also waits on Redis,
   * and Redis may be what is down. Every wait is bounded, so the whole close fits the shutdown budget.
   */
  async close({ graceMs, onGraceExpired }: RunQueueCloseOptions): Promise<void> {
    this.stopTaking();
    const worker = this.worker;
    if (worker) {
      const finished = (): Promise<unknown> => Promise.allSettled([...this.processing]);
      if (!(await settlesWithin(finished(), graceMs))) {
        onGraceExpired();
        await settlesWithin(finished(), ABORT_SETTLE_MS);
      }
      // Lets BullMQ record the last outcomes; if it cannot, the jobs stay active in Redis, their
      // locks expire and another worker takes them.
      const closing = worker.close();
      void closing.catch((error: unknown) => this.logger.warn({ msg: 'worker close failed', err: error }));
      if (!(await settlesWithin(closing, CLOSE_TIMEOUT_MS))) await settlesWithin(worker.close(true), CLOSE_TIMEOUT_MS);
    }
    // Bounded: with Redis unreachable these would wait for it forever (maxRetriesPerRequest: null).
    await settlesWithin(this.queue.close(), CLOSE_TIMEOUT_MS);
    if (this.connection.status === 'ready') await settlesWithin(this.connection.quit(), CLOSE_TIMEOUT_MS);
    this.connection.disconnect();
  }
}
