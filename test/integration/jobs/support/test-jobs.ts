// Job handlers that exist only in the tests: their behaviour is scripted by the payload, so the
// engine's retry, delay, cancel and crash paths can be driven on purpose, in this process or in
// a separate worker process.
import { Injectable, Module } from '@nestjs/common';
import { PermanentJobError, TransientJobError } from '../../../../src/core/jobs/job-errors';
import type { JobResult } from '../../../../src/core/jobs/job-payloads';
import { OnRun } from '../../../../src/core/jobs/on-run.decorator';
import type { RunContext } from '../../../../src/core/jobs/run-context';
import {
  RateLimitExceededException,
  RateLimitStoreUnavailableException,
} from '../../../../src/core/rate-limit/rate-limit.exception';

export type ScriptStep = 'ok' | 'transient' | 'permanent' | 'rate-limit' | 'store-unavailable';

declare module '../../../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    /** Returns its value and the pid of the process that ran it. */
    'test.echo': { userId: string; value: string };
    /** Invocation n follows steps[n] (the last step repeats). */
    'test.scripted': { userId: string; steps: ScriptStep[]; retryAfterMs?: number };
    /** Runs until its signal is aborted. */
    'test.block': { userId: string };
    /** Attempt 1 hangs (until its process is killed); later attempts complete with their pid. */
    'test.block-first-attempt': { userId: string };
    /** In a process started with BLOCK_RUNS=1: runs until its signal is aborted. Elsewhere: completes. */
    'test.block-in-marked-process': { userId: string };
    /** Stores a support ticket for the user when its `StoreGate` lets it (see `storeGateFor`). */
    'test.store-when-released': { userId: string };
  }
}

export interface Invocation {
  at: number;
  attempt: number;
}

/** What the handlers saw in this process, by run id. */
export const invocations = new Map<string, Invocation[]>();
export const abortReasons = new Map<string, unknown>();

function record(runId: string, attempt: number): number {
  const list = invocations.get(runId) ?? [];
  list.push({ at: Date.now(), attempt });
  invocations.set(runId, list);
  return list.length - 1;
}

interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/**
 * Steps of a 'test.store-when-released' run, by user id: the handler says it is `waiting` (the
 * stand-in for fetching from a provider), waits for `release` whatever its abort signal says (as
 * a handler does in a process a cancel has not reached yet), writes a run log line, then stores a
 * support ticket through `storeResults`: once the run's row is locked it says it is `locked`, and
 * it commits on `commit`. `outcome` is the ticket's id, or the error that stopped the handler.
 */
export interface StoreGate {
  waiting: Deferred;
  release: Deferred;
  locked: Deferred;
  commit: Deferred;
  outcome: Deferred<string | Error>;
}

const storeGates = new Map<string, StoreGate>();

export function storeGateFor(userId: string): StoreGate {
  const gate = { waiting: deferred(), release: deferred(), locked: deferred(), commit: deferred(), outcome: deferred<string | Error>() };
  storeGates.set(userId, gate);
  return gate;
}

/** The test handlers, declared as the app's are: `@OnRun` methods on a provider. */
@Injectable()
export class TestJobHandlers {
  @OnRun('test.echo')
  async echo(ctx: RunContext<'test.echo'>): Promise<JobResult> {
    record(ctx.runId, ctx.attempt);
    await ctx.log('info', `echoing for ${ctx.payload.userId}@example.com`);
    return { value: ctx.payload.value, pid: process.pid, attempt: ctx.attempt };
  }

  @OnRun('test.scripted')
  async scripted(ctx: RunContext<'test.scripted'>): Promise<JobResult> {
    const index = record(ctx.runId, ctx.attempt);
    const { steps, retryAfterMs = 500 } = ctx.payload;
    const step = steps[Math.min(index, steps.length - 1)];
    switch (step) {
      case 'ok':
        return { invocation: index + 1, attempt: ctx.attempt };
      case 'transient':
        throw new TransientJobError('TEST_TRANSIENT', `temporary failure ${index + 1}`);
      case 'permanent':
        throw new PermanentJobError('TEST_PERMANENT', 'this cannot work');
      case 'rate-limit':
        throw new RateLimitExceededException('x', retryAfterMs, 'provider_block');
      case 'store-unavailable':
        throw new RateLimitStoreUnavailableException();
    }
  }

  @OnRun('test.block')
  async block(ctx: RunContext<'test.block'>): Promise<JobResult> {
    record(ctx.runId, ctx.attempt);
    await new Promise<void>((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        abortReasons.set(ctx.runId, ctx.signal.reason);
        reject(ctx.signal.reason);
      });
    });
  }

  @OnRun('test.block-in-marked-process')
  async blockInMarkedProcess(ctx: RunContext<'test.block-in-marked-process'>): Promise<JobResult> {
    record(ctx.runId, ctx.attempt);
    if (process.env.BLOCK_RUNS === '1') {
      await ctx.log('info', `blocking in ${process.pid} until aborted`);
      await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    }
    return { pid: process.pid };
  }

  @OnRun('test.store-when-released')
  async storeWhenReleased(ctx: RunContext<'test.store-when-released'>): Promise<JobResult> {
    const gate = storeGates.get(ctx.payload.userId);
    if (!gate) throw new PermanentJobError('TEST_NO_GATE', 'no store gate for this user');
    gate.waiting.resolve();
    await gate.release.promise;
    await ctx.log('info', 'fetched; storing');
    try {
      const ticketId = await ctx.storeResults(async (tx) => {
        gate.locked.resolve();
        await gate.commit.promise;
        const [row] = await tx.execute<{ id: string }[]>(
          "insert into support_tickets (id, user_id, subject, body, status, created_at) values (gen_random_uuid(), ?, 'stored by a run', 'body', 'open', now()) returning id",
          [ctx.payload.userId],
        );
        return row.id;
      });
      gate.outcome.resolve(ticketId);
      return { ticketId };
    } catch (error) {
      gate.outcome.resolve(error as Error);
      throw error;
    }
  }

  @OnRun('test.block-first-attempt')
  async blockFirstAttempt(ctx: RunContext<'test.block-first-attempt'>): Promise<JobResult> {
    record(ctx.runId, ctx.attempt);
    if (ctx.attempt === 1) {
      await ctx.log('info', `attempt 1 blocking in ${process.pid}`);
      await new Promise<void>(() => undefined);
    }
    return { pid: process.pid, attempt: ctx.attempt };
  }
}

@Module({ providers: [TestJobHandlers] })
export class TestJobsModule {}
