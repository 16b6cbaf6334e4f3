// Executes one attempt of a run: claims it (PENDING -> RUNNING, attempts + 1; a RUNNING run whose
// worker died is resumed the same way), calls its handler inside a fresh MikroORM request context,
// and records the outcome: COMPLETED with its result, PENDING again (retry or rate-limit delay),
// FAILED with a redacted error, or CANCELLED. Returns what the queue should do with the job.
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { RequestUserContext } from '../context/request-user-context';
import { redactForLog } from '../logging/redact-for-log';
import { RunState, WorkflowRun } from './entities/workflow-run.entity';
import { JobHandlerRegistry } from './job-handler.registry';
import type { JobKey, JobPayloads } from './job-payloads';
import { classifyJobError, RunCancelledError, WorkerShutdownError } from './job-errors';
import { JOBS_OPTIONS, JobsOptions } from './jobs.options';
import type { RunContext, RunLogLevel } from './run-context';
import type { RunStep } from './run-queue';
import { decideAfterFailure } from './run-retry-policy';
import { RunEvents } from './run-events';
import { RunChange, RunsRepository, RunVersion } from './runs.repository';

const DONE: RunStep = { kind: 'done' };

export const RUN_INTERRUPTED = 'RUN_INTERRUPTED';
export const JOB_HANDLER_MISSING = 'JOB_HANDLER_MISSING';

@Injectable()
export class RunExecutor {
  private readonly logger = new Logger('Runs');
  /** Abort controllers of the runs this process is executing, for local cancels and shutdown. */
  /**
   * The attempts this process is executing, by run. One run can have two here for a while: an
   * attempt whose job lock was lost (Redis restarted) goes on until it notices, while the job's
   * next attempt has already started; each attempt removes only its own controller.
   */
  private readonly active = new Map<string, Set<AbortController>>();

  constructor(
    private readonly em: EntityManager,
    private readonly runs: RunsRepository,
    private readonly handlers: JobHandlerRegistry,
    private readonly clock: Clock,
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
    private readonly events: RunEvents,
    // Optional: lets Monitoring count a run's queries against its owner (absent in bare test setups).
    @Optional() private readonly requestUser?: RequestUserContext,
  ) {}

  /** The queue's processor. Rejects only on infrastructure errors (the queue retries those). */
  async process(runId: string): Promise<RunStep> {
    const run = await this.runs.findById(runId);
    if (!run || (run.state !== RunState.PENDING && run.state !== RunState.RUNNING)) return DONE;
    const now = this.clock.now();
    // Woken early (recovery, clock skew): the provider must not be called before the announced reset.
    if (run.state === RunState.PENDING && run.nextAttemptAt && run.nextAttemptAt.getTime() > now.getTime()) {
      return { kind: 'delay', delayMs: run.nextAttemptAt.getTime() - now.getTime() };
    }
    const observed: RunVersion = { state: run.state, attempts: run.attempts };
    const resumed = run.state === RunState.RUNNING;
    if (resumed && run.attempts >= run.maxAttempts) {
      const message = `The worker executing attempt ${run.attempts} stopped, and no attempts are left`;
      if (await this.move(run, observed, failure(RUN_INTERRUPTED, message, now), now)) {
        await this.log(run, 'error', message);
      }
      return DONE;
    }

    const attempt = run.attempts + 1;
    const claimed = await this.move(
      run,
      observed,
      { state: RunState.RUNNING, attempts: attempt, startedAt: run.startedAt ?? now, nextAttemptAt: null },
      now,
    );
    // Someone else changed it first: cancelled, or claimed by another worker.
    if (!claimed) return DONE;
    const running: RunVersion = { state: RunState.RUNNING, attempts: attempt };
    if (resumed) await this.log(run, 'warn', `Attempt ${run.attempts} was interrupted (its worker stopped); resuming`);
    await this.log(run, 'info', `Attempt ${attempt} of ${run.maxAttempts} started`);

    const handler = this.handlers.get(run.jobName);
    if (!handler) {
      const message = `No handler is registered for job "${run.jobName}"`;
      if (await this.move(run, running, failure(JOB_HANDLER_MISSING, message, this.clock.now()), this.clock.now())) {
        await this.log(run, 'error', message);
      }
      this.logger.error({ msg: 'no handler for job', runId: run.id, jobName: run.jobName });
      return DONE;
    }

    const controller = new AbortController();
    const attemptsOfRun = this.active.get(run.id) ?? new Set<AbortController>();
    this.active.set(run.id, attemptsOfRun.add(controller));
    const stopWatching = this.watchForCancellation(run.id, attempt, controller);
    try {
      const context = this.createContext(run, attempt, controller);
      const execute = () => RequestContext.create(this.em, () => handler(context));
      const result = await (this.requestUser ? this.requestUser.runAs(run.userId ?? null, execute) : execute());
      const finishedAt = this.clock.now();
      const completed = await this.move(
        run,
        running,
        {
          state: RunState.COMPLETED,
          result: result ? (JSON.parse(JSON.stringify(result)) as Record<string, unknown>) : null,
          errorCode: null,
          errorMessage: null,
          nextAttemptAt: null,
          finishedAt,
        },
        finishedAt,
      );
      if (completed) await this.log(run, 'info', `Attempt ${attempt} completed`);
      return DONE;
    } catch (error) {
      return await this.afterFailure(run, attempt, error, controller.signal);
    } finally {
      stopWatching();
      attemptsOfRun.delete(controller);
      if (attemptsOfRun.size === 0 && this.active.get(run.id) === attemptsOfRun) this.active.delete(run.id);
    }
  }

  /** Aborts the run's handler if this process is executing it. */
  abortLocal(runId: string): void {
    for (const controller of this.active.get(runId) ?? []) controller.abort(new RunCancelledError());
  }

  /** Aborts every handler of this process (shutdown): their runs go back to PENDING. */
  abortAll(): void {
    for (const attempts of this.active.values()) for (const controller of attempts) controller.abort(new WorkerShutdownError());
  }

  /** The runs this process is executing now (for diagnostics and the multi-instance test). */
  get activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  get activeCount(): number {
    let count = 0;
    for (const attempts of this.active.values()) count += attempts.size;
    return count;
  }

  private async afterFailure(run: WorkflowRun, attempt: number, error: unknown, signal: AbortSignal): Promise<RunStep> {
    const running: RunVersion = { state: RunState.RUNNING, attempts: attempt };
    const now = this.clock.now();
    if (signal.aborted && signal.reason instanceof RunCancelledError) {
      // Usually already CANCELLED by whoever cancelled it; this covers a local abort racing the update.
      await this.move(run, running, { state: RunState.CANCELLED, nextAttemptAt: null, finishedAt: now }, now);
      return DONE;
    }
    if (signal.aborted && signal.reason instanceof WorkerShutdownError) {
      const handedBack = await this.move(
        run,
        running,
        { state: RunState.PENDING, attempts: attempt - 1, nextAttemptAt: now },
        now,
      );
      if (handedBack) await this.log(run, 'warn', `Attempt ${attempt} was interrupted by a worker shutdown; it will run again`);
      return { kind: 'delay', delayMs: 0 };
    }

    const classification = classifyJobError(error, { storeUnavailableDelayMs: this.options.retry.storeUnavailableDelayMs });
    const decision = decideAfterFailure(
      classification,
      { attempt, maxAttempts: run.maxAttempts, createdAt: run.createdAt },
      now,
      this.options.retry,
    );
    if (decision.action === 'fail') {
      const failed = await this.move(run, running, failure(decision.code, decision.message, now), now);
      if (failed) {
        await this.log(run, 'error', `Attempt ${attempt} failed (${decision.code}): ${decision.message}`);
        this.logger.warn({ msg: 'run failed', runId: run.id, jobName: run.jobName, attempt, code: decision.code });
      }
      return DONE;
    }
    const nextAttemptAt = new Date(now.getTime() + decision.delayMs);
    const rescheduled = await this.move(
      run,
      running,
      {
        state: RunState.PENDING,
        attempts: decision.countsAsAttempt ? attempt : attempt - 1,
        nextAttemptAt,
        errorCode: decision.code,
        errorMessage: decision.message,
      },
      now,
    );
    if (!rescheduled) return DONE;
    await this.log(
      run,
      'warn',
      decision.countsAsAttempt
        ? `Attempt ${attempt} failed (${decision.code}): ${decision.message}; retrying at ${nextAttemptAt.toISOString()}`
        : `Delayed until ${nextAttemptAt.toISOString()} (${decision.code}): ${decision.message}`,
    );
    return { kind: 'delay', delayMs: decision.delayMs };
  }

  private createContext<N extends JobKey>(run: WorkflowRun, attempt: number, controller: AbortController): RunContext<N> {
    const { signal } = controller;
    return {
      runId: run.id,
      userId: run.userId ?? null,
      jobName: run.jobName as N,
      attempt,
      maxAttempts: run.maxAttempts,
      payload: (run.input ?? {}) as JobPayloads[N],
      signal,
      // Inside the handler's async context: joins its request context or transaction.
      log: (level, message) => this.runs.insertLog(run, level, redactForLog(String(message)), this.clock.now()),
      throwIfAborted: () => signal.throwIfAborted(),
      // Called in the handler's async context: the transaction forks its request context.
      storeResults: (work) =>
        this.em.transactional(async (em) => {
          if (!(await this.runs.lockIfRunning(run.id, attempt, em))) controller.abort(new RunCancelledError());
          signal.throwIfAborted();
          return work(em);
        }),
    };
  }

  /**
   * A run cancelled by another process (API instance, delete-my-data) is noticed by polling its row;
   * a cancel in this process aborts at once through `abortLocal`.
   */
  private watchForCancellation(runId: string, attempt: number, controller: AbortController): () => void {
    if (this.options.cancellationPollMs <= 0 || this.options.driver !== 'bullmq') return () => undefined;
    let checking = false;
    const timer = setInterval(() => {
      if (checking || controller.signal.aborted) return;
      checking = true;
      this.runs
        .findById(runId)
        .then((current) => {
          if (!current || current.state !== RunState.RUNNING || current.attempts !== attempt) {
            controller.abort(new RunCancelledError());
          }
        })
        .catch((error: unknown) => this.logger.debug({ msg: 'cancellation check failed', runId, err: error }))
        .finally(() => {
          checking = false;
        });
    }, this.options.cancellationPollMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** A state change of the run (see `RunsRepository.transition`), announced once it is made. */
  private async move(run: WorkflowRun, from: RunVersion, change: RunChange, now: Date): Promise<boolean> {
    const moved = await this.runs.transition(run.id, from, change, now);
    if (moved) {
      this.events.publish({
        runId: run.id,
        job: run.jobName,
        state: change.state ?? from.state,
        attempts: change.attempts ?? from.attempts,
        at: now.toISOString(),
      });
    }
    return moved;
  }

  private async log(run: WorkflowRun, level: RunLogLevel, message: string): Promise<void> {
    try {
      await this.runs.insertLog(run, level, redactForLog(message), this.clock.now(), this.em.fork());
    } catch (error) {
      // A missing log line must not change the run's outcome.
      this.logger.warn({ msg: 'could not write run log', runId: run.id, err: error });
    }
  }
}

function failure(code: string, message: string, now: Date) {
  return { state: RunState.FAILED, errorCode: code, errorMessage: message, nextAttemptAt: null, finishedAt: now };
}
