// What a job handler receives and returns.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobKey, JobPayloads, JobResult } from './job-payloads';

export type RunLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RunContext<N extends JobKey = JobKey> {
  readonly runId: string;
  /** The run's owner; null for system runs (scheduled jobs). */
  readonly userId: string | null;
  readonly jobName: N;
  /** 1 for the first attempt. Rate-limit delays do not use up attempts; a worker crash does. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly payload: JobPayloads[N];
  /**
   * Aborted when the run is cancelled (reason: `RunCancelledError`) or the worker shuts down
   * (reason: `WorkerShutdownError`). Pass it to fetch/SDK calls and check it between steps.
   */
  readonly signal: AbortSignal;
  /**
   * Appends a line to the run's log (`run_logs`), redacted with the `log` profile first; nothing
   * once the run has been erased. Joins the handler's transaction when called inside one (embedded
   * PGlite cannot serve a second connection while a transaction is open).
   */
  log(level: RunLogLevel, message: string): Promise<void>;
  /** Throws the signal's reason when the run was cancelled or the worker is stopping. */
  throwIfAborted(): void;
  /**
   * Runs `work` in the transaction that stores what the run produced (tweets, an analysis, an
   * export). The transaction first locks the run's row until it ends (FOR SHARE), and throws
   * `RunCancelledError` without calling `work` when the run is no longer this attempt: cancelled,
   * erased by delete-my-data, or taken over. A cancel or an erasure, which updates that row first,
   * then either waits for the transaction and removes what it stored, or came first and nothing
   * is stored: a handler that missed the abort (another process cancelled it a moment ago) can
   * never write a person's data back.
   */
  storeResults<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
}

/**
 * Executes one attempt of a run. It runs inside its own MikroORM request context, so injected
 * services that use `EntityManager` work as in a request. Throw `PermanentJobError` /
 * `TransientJobError` (or let a `RateLimitExceededException` through) to steer retries; return a small
 * JSON object (no personal data: it is shown by `GET /api/runs/:id`) to store as the result.
 */
export type JobHandler<N extends JobKey = JobKey> = (context: RunContext<N>) => Promise<JobResult>;
