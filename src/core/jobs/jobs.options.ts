// Tunables of the run engine. The app takes them from AppConfig; tests may override any of them by
// overriding the `JOBS_OPTIONS` provider with `resolveJobsOptions(config, overrides)`.
import type { AppConfig } from '../config/app-config';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './run-retry-policy';

export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');

export interface JobsOptions {
  /** BullMQ (server mode with Redis) or the in-process runner (embedded mode, or no Redis). */
  driver: 'bullmq' | 'in-process';
  /**
   * Whether this process executes runs. Off for the CLI's one-shot context; with the in-process
   * runner the runs it starts then wait for the next start of the app (boot recovery).
   */
  runWorker: boolean;
  concurrency: number;
  queueName: string;
  /** BullMQ key prefix (default `bull`). */
  queuePrefix: string;
  /** Default `maxAttempts` of a run. */
  defaultMaxAttempts: number;
  retry: RetryPolicy;
  /**
   * BullMQ: a job's lock lives this long unless its worker renews it; a worker killed mid-run
   * leaves a job whose lock expires, and the stalled-job check gives it to another worker.
   */
  lockDurationMs: number;
  /** BullMQ: how often each worker looks for stalled jobs. */
  stalledIntervalMs: number;
  /** BullMQ: how often one job may stall before BullMQ gives up on it (the recovery sweep then decides). */
  maxStalledCount: number;
  /** How often a worker checks whether a running run was cancelled elsewhere (0: only local cancels). */
  cancellationPollMs: number;
  /** How often the recovery sweep re-enqueues runs that lost their queue entry (0: only at start). */
  recoveryIntervalMs: number;
  /**
   * Server mode: a non-terminal run is only treated as orphaned once untouched for this long (its
   * enqueue may be in flight; another deployment may share the database with its own queue).
   */
  recoveryGraceMs: number;
  /** On shutdown, how long active runs may finish before they are aborted and handed back. */
  shutdownGraceMs: number;
}

/**
 * The whole shutdown must end within 10 s (what process managers commonly wait before they kill):
 * 4 s for active runs to finish, 2 s for aborted ones to hand back, then bounded Redis closes.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 4_000;

export type JobsOptionsOverrides = Partial<Omit<JobsOptions, 'retry'>> & { retry?: Partial<RetryPolicy> };

export function resolveJobsOptions(config: AppConfig, overrides: JobsOptionsOverrides = {}): JobsOptions {
  const { retry, ...rest } = overrides;
  return {
    driver: config.mode === 'server' && config.redisUrl ? 'bullmq' : 'in-process',
    runWorker: config.jobs.runWorker,
    concurrency: config.jobs.workerConcurrency,
    queueName: config.jobs.queueName,
    queuePrefix: 'bull',
    defaultMaxAttempts: 5,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    maxStalledCount: 2,
    cancellationPollMs: 2_000,
    recoveryIntervalMs: 60_000,
    recoveryGraceMs: 10 * 60_000,
    shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
    ...rest,
    retry: { ...DEFAULT_RETRY_POLICY, ...retry },
  };
}
