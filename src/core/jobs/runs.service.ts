// The run engine's public API (the replacement for Prefect flow runs).
//
// A module declares the handler of its job on the method that does the work (found at bootstrap,
// before workers start; see `OnRun`):
//
//   @OnRun(JobName.TwitterIngest)
//   async ingest(ctx: RunContext<JobName.TwitterIngest>): Promise<IngestionResult> { ... }
//
// and starts runs from a request (outside any transaction):
//
//   const run = await this.runs.startRun(RunFlow.INGESTION, JobName.TwitterIngest, user.id, { userId: user.id });
//   return { runId: run.id };
//
// To create a run atomically with other rows, use `createRun` inside the transaction and
// `enqueueRun` after it committed (a run whose enqueue never happened is recovered by the sweep).
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { RunDto, RunFields } from './dto/run.dto';
import { RunLog } from './entities/run-log.entity';
import { RunFlow, RunState, WorkflowRun } from './entities/workflow-run.entity';
import type { JobKey, JobPayloads } from './job-payloads';
import { JOBS_OPTIONS, JobsOptions } from './jobs.options';
import { RunExecutor } from './run-executor';
import { withTimeout } from '../util/with-timeout';
import { RunEvents } from './run-events';
import { RunQueue } from './run-queue';
import {
  RunNotCancellableException,
  RunNotFoundException,
  RunNotRetryableException,
  RunsQueueUnavailableException,
} from './runs.exception';
import { RunsRepository } from './runs.repository';
import { isUuid } from '../util/is-uuid';

export const QUEUE_UNAVAILABLE = 'QUEUE_UNAVAILABLE';
/** Redis that does not answer within this is treated as down: the caller gets a 503 at once. */
const ENQUEUE_TIMEOUT_MS = 5_000;
export const MAX_RUNS_PAGE = 100;
export const MAX_RUN_LOGS = 1000;

export interface StartRunOptions {
  /** Attempts before the run ends FAILED (default 5). Rate-limit delays do not use attempts up. */
  maxAttempts?: number;
  /** Do not start before this delay. */
  delayMs?: number;
}

export interface ListRunsOptions {
  limit?: number;
  /** Id of a run of the same user: only older runs are listed (the last id of the previous page). */
  before?: string;
}

@Injectable()
export class RunsService {
  private readonly logger = new Logger('Runs');

  constructor(
    private readonly em: EntityManager,
    private readonly runs: RunsRepository,
    private readonly queue: RunQueue,
    private readonly executor: RunExecutor,
    private readonly clock: Clock,
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
    private readonly events: RunEvents,
  ) {}

  /**
   * Creates the run (PENDING) and queues it. Must not be called inside a transaction: the worker
   * could look for the row before it is committed (use `createRun` + `enqueueRun` for that).
   * @throws RunsQueueUnavailableException (503) when the queue is unreachable; the run is then FAILED.
   */
  async startRun<N extends JobKey>(
    flow: RunFlow,
    jobName: N,
    userId: string | null,
    payload: JobPayloads[N],
    options: StartRunOptions = {},
  ): Promise<WorkflowRun> {
    this.assertNoTransaction('startRun');
    const run = await this.createRun(flow, jobName, userId, payload, options);
    await this.enqueueRun(run.id, options.delayMs);
    return run;
  }

  /**
   * Inserts the PENDING row only, in the caller's transaction if there is one. Follow with
   * `enqueueRun` once committed. A `delayMs` is kept as the run's `nextAttemptAt`.
   */
  async createRun<N extends JobKey>(
    flow: RunFlow,
    jobName: N,
    userId: string | null,
    payload: JobPayloads[N],
    options: StartRunOptions = {},
  ): Promise<WorkflowRun> {
    const maxAttempts = options.maxAttempts ?? this.options.defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
    const now = this.clock.now();
    return this.runs.insert({
      flow,
      jobName,
      userId,
      input: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
      maxAttempts,
      notBefore: options.delayMs && options.delayMs > 0 ? new Date(now.getTime() + options.delayMs) : null,
      now,
    });
  }

  /** Queues a created run (after its transaction committed); it starts at its `nextAttemptAt` at the earliest. */
  async enqueueRun(runId: string, delayMs = 0): Promise<void> {
    this.assertNoTransaction('enqueueRun');
    const run = await this.runs.findById(runId);
    try {
      await withTimeout(this.queue.enqueue(runId, delayMs), ENQUEUE_TIMEOUT_MS, 'the queue did not accept the run');
      // Committed and queued: what the console shows as a new (or retried) run.
      if (run) this.announce(run, RunState.PENDING, run.attempts);
      return;
    } catch (failure) {
      this.logger.error({ msg: 'could not queue run', runId, err: failure });
    }
    const now = this.clock.now();
    const attempts = run?.attempts ?? 0;
    const failed = await this.runs.transition(
      runId,
      { state: RunState.PENDING, attempts },
      { state: RunState.FAILED, errorCode: QUEUE_UNAVAILABLE, errorMessage: 'The run could not be queued', finishedAt: now },
      now,
    );
    if (failed && run) this.announce(run, RunState.FAILED, attempts, now);
    throw new RunsQueueUnavailableException();
  }

  /**
   * Cancels a PENDING or RUNNING run (of `userId` when given): its queued job is removed, and a
   * running handler sees `ctx.signal` aborted. False when there was nothing to cancel.
   */
  async cancelRun(runId: string, options: { userId?: string; by?: 'operator' } = {}): Promise<boolean> {
    const run = isUuid(runId) ? await this.runs.findById(runId, this.runs.contextual()) : null;
    if (!run || (options.userId !== undefined && run.userId !== options.userId)) return false;
    const cancelled = await this.runs.cancelUnfinished({ ids: [run.id] }, this.clock.now());
    if (cancelled.length === 0) return false;
    await this.queue.remove(run.id);
    this.executor.abortLocal(run.id);
    await this.runs.insertLog(run, 'warn', options.by === 'operator' ? 'The run was cancelled by an operator' : 'The run was cancelled', this.clock.now());
    this.announce(run, RunState.CANCELLED, run.attempts);
    return true;
  }

  /**
   * The operator's cancel: a PENDING or RUNNING run ends CANCELLED. It goes through the store gate
   * of `RunContext.storeResults` like an erasure: the cancel updates the run's row, so a handler
   * storing results right now finishes first (what it committed stays), and any later attempt to
   * store finds the run no longer RUNNING and writes nothing.
   * @throws RunNotFoundException, RunNotCancellableException (409) for a run that already ended.
   */
  async cancelAsOperator(runId: string): Promise<WorkflowRun> {
    const run = await this.findAnyRun(runId);
    if (run.state !== RunState.PENDING && run.state !== RunState.RUNNING) throw new RunNotCancellableException(run.state);
    if (!(await this.cancelRun(run.id, { by: 'operator' }))) {
      // It ended (or was cancelled) between the read and the update.
      throw new RunNotCancellableException((await this.findAnyRun(run.id)).state);
    }
    return this.findAnyRun(run.id);
  }

  /**
   * The operator's retry: a FAILED or CANCELLED run goes back to PENDING with exactly one more
   * attempt (its `maxAttempts` becomes `attempts + 1`), keeping its id, input and log. The handler
   * checks consent and the rest again when the attempt starts, as for any attempt.
   * @throws RunNotFoundException, RunNotRetryableException (409) for a run that has not ended or COMPLETED.
   */
  async retryAsOperator(runId: string): Promise<WorkflowRun> {
    const run = await this.findAnyRun(runId);
    if (run.state !== RunState.FAILED && run.state !== RunState.CANCELLED) throw new RunNotRetryableException(run.state);
    const now = this.clock.now();
    const reopened = await this.runs.transition(
      run.id,
      { state: run.state, attempts: run.attempts },
      { state: RunState.PENDING, maxAttempts: run.attempts + 1, errorCode: null, errorMessage: null, nextAttemptAt: null, finishedAt: null },
      now,
    );
    if (!reopened) throw new RunNotRetryableException((await this.findAnyRun(run.id)).state);
    await this.runs.insertLog(run, 'info', `Retried by an operator: attempt ${run.attempts + 1} queued`, now);
    await this.enqueueRun(run.id);
    return this.findAnyRun(run.id);
  }

  /** Any run, of any user or none (operators). @throws RunNotFoundException */
  async findAnyRun(runId: string, field = 'id'): Promise<WorkflowRun> {
    const run = isUuid(runId) ? await this.runs.findById(runId) : null;
    if (!run) throw new RunNotFoundException(field);
    return run;
  }

  /**
   * For erasure: cancels every unfinished run of the user, removes their waiting and delayed jobs
   * from the queue and aborts their running handlers. Returns how many queued jobs were removed
   * (the `jobs` count of delete-my-data). Joins the caller's transaction when called inside one.
   */
  async removeQueuedJobsOfUser(userId: string): Promise<number> {
    const cancelled = await this.runs.cancelUnfinished({ userId }, this.clock.now());
    let removed = 0;
    for (const run of cancelled) {
      if (await this.queue.remove(run.id)) removed += 1;
      this.executor.abortLocal(run.id);
      this.announce(run, RunState.CANCELLED, run.attempts);
    }
    return removed;
  }

  /** The user's newest run of `jobName` still pending or running, if any. */
  findUnfinishedRun(userId: string, jobName: JobKey): Promise<WorkflowRun | null> {
    return this.runs.findNewestUnfinished(userId, jobName);
  }

  /** The user's runs, newest first. */
  async listRuns(userId: string, options: ListRunsOptions = {}): Promise<RunFields[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 20), MAX_RUNS_PAGE);
    const before = options.before === undefined ? undefined : await this.getRun(userId, options.before, 'before');
    return this.runs.listForUser(userId, limit, RunDto.FIELDS, before);
  }

  /** @throws RunNotFoundException for a malformed id, another user's run or an unknown one. */
  async getRun(userId: string, runId: string, field = 'id'): Promise<WorkflowRun> {
    const run = isUuid(runId) ? await this.runs.findForUser(userId, runId) : null;
    if (!run) throw new RunNotFoundException(field);
    return run;
  }

  /** The run's log lines, oldest first. */
  async listRunLogs(userId: string, runId: string): Promise<RunLog[]> {
    const run = await this.getRun(userId, runId);
    return this.runs.listLogs(run.id, MAX_RUN_LOGS);
  }

  private announce(run: Pick<WorkflowRun, 'id' | 'jobName'>, state: RunState, attempts: number, at = this.clock.now()): void {
    this.events.publish({ runId: run.id, job: run.jobName, state, attempts, at: at.toISOString() });
  }

  private assertNoTransaction(method: string): void {
    if (this.em.isInTransaction()) {
      throw new Error(
        `RunsService.${method} must be called after the transaction commits (use createRun inside it, enqueueRun after it)`,
      );
    }
  }
}
