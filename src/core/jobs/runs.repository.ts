// Database access of the run engine. State changes are conditional updates ("from this state and
// attempt count to that"), so two workers, a cancel and a recovery sweep can race on one run and
// exactly one of them wins; no transaction is held while a handler runs. Writes made on a run's
// behalf (its results, its log lines) lock the run's row first, so they cannot land after a
// cancel or an erasure has removed the run's data.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { listQuery } from '../database/list-query';
import { RunLog } from './entities/run-log.entity';
import { RunFlow, RunState, WorkflowRun } from './entities/workflow-run.entity';
import type { RunLogLevel } from './run-context';

export const UNFINISHED_STATES = [RunState.PENDING, RunState.RUNNING];

export interface NewRun {
  flow: RunFlow;
  jobName: string;
  userId: string | null;
  input: Record<string, unknown>;
  maxAttempts: number;
  /** Not to be started before (a delayed start). */
  notBefore: Date | null;
  now: Date;
}

/** The fields a state change may set (`updatedAt` is always set). */
export type RunChange = Partial<
  Pick<
    WorkflowRun,
    'state' | 'attempts' | 'maxAttempts' | 'result' | 'errorCode' | 'errorMessage' | 'nextAttemptAt' | 'startedAt' | 'finishedAt'
  >
>;

/** What the operators' list of runs can be narrowed by. */
export interface RunFilter {
  state?: RunState;
  jobName?: string;
  userId?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
}

export interface RunVersion {
  state: RunState;
  attempts: number;
}

@Injectable()
export class RunsRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * The caller's transaction or request EntityManager when there is one, so a module calling the
   * engine inside a transaction never waits on a second connection (which hangs embedded PGlite);
   * a fresh fork otherwise (workers, cron).
   */
  contextual(): EntityManager {
    const current = this.em.getContext(false);
    return current === this.em ? this.em.fork() : current;
  }

  async insert(run: NewRun, em: EntityManager = this.contextual()): Promise<WorkflowRun> {
    const entity = em.create(
      WorkflowRun,
      {
        id: randomUUID(),
        flow: run.flow,
        jobName: run.jobName,
        userId: run.userId,
        state: RunState.PENDING,
        attempts: 0,
        maxAttempts: run.maxAttempts,
        input: run.input,
        nextAttemptAt: run.notBefore,
        createdAt: run.now,
        updatedAt: run.now,
      },
      { persist: false },
    );
    await em.insert(entity);
    return entity;
  }

  /** A fresh read, never from an identity map. */
  findById(id: string, em: EntityManager = this.em.fork()): Promise<WorkflowRun | null> {
    return em.findOne(WorkflowRun, { id, deletedAt: null }, { disableIdentityMap: true });
  }

  /** Applies `change` only if the run is still at `from`; true when it was. */
  async transition(id: string, from: RunVersion, change: RunChange, now: Date, em: EntityManager = this.em.fork()): Promise<boolean> {
    const affected = await em.nativeUpdate(
      WorkflowRun,
      { id, state: from.state, attempts: from.attempts, deletedAt: null },
      { ...change, updatedAt: now },
    );
    return affected === 1;
  }

  /** Cancels the given runs that are not finished yet; returns the runs that were cancelled. */
  async cancelUnfinished(
    where: { ids?: string[]; userId?: string },
    now: Date,
    em: EntityManager = this.contextual(),
  ): Promise<Array<Pick<WorkflowRun, 'id' | 'jobName' | 'attempts'>>> {
    const candidates = await em.find(
      WorkflowRun,
      {
        ...(where.ids ? { id: { $in: where.ids } } : {}),
        ...(where.userId !== undefined ? { userId: where.userId } : {}),
        state: { $in: UNFINISHED_STATES },
        deletedAt: null,
      },
      { fields: ['id', 'jobName', 'attempts'], disableIdentityMap: true },
    );
    if (candidates.length === 0) return [];
    const ids = candidates.map((run) => run.id);
    await em.nativeUpdate(
      WorkflowRun,
      { id: { $in: ids }, state: { $in: UNFINISHED_STATES } },
      { state: RunState.CANCELLED, nextAttemptAt: null, finishedAt: now, updatedAt: now },
    );
    return candidates.map(({ id, jobName, attempts }) => ({ id, jobName, attempts }));
  }

  /** The user's newest PENDING or RUNNING run of `jobName`, if any. */
  findNewestUnfinished(userId: string, jobName: string): Promise<WorkflowRun | null> {
    return this.contextual().findOne(
      WorkflowRun,
      { userId, jobName, state: { $in: UNFINISHED_STATES }, deletedAt: null },
      { orderBy: { createdAt: 'desc' } },
    );
  }

  /** Unfinished runs last touched before `before`, in id order after `afterId` (for recovery). */
  findUnfinishedBatch(
    before: Date,
    afterId: string | undefined,
    limit: number,
  ): Promise<Pick<WorkflowRun, 'id' | 'state' | 'nextAttemptAt'>[]> {
    return this.em.fork().find(
      WorkflowRun,
      {
        state: { $in: UNFINISHED_STATES },
        deletedAt: null,
        updatedAt: { $lte: before },
        ...(afterId ? { id: { $gt: afterId } } : {}),
      },
      { orderBy: { id: 'asc' }, limit, fields: ['id', 'state', 'nextAttemptAt'], disableIdentityMap: true },
    );
  }

  /**
   * The user's runs, newest first, older than the `before` run when given: read-only rows of
   * `fields`, not entities (see list-query.ts).
   */
  async listForUser<P extends keyof WorkflowRun & string>(
    userId: string,
    limit: number,
    fields: readonly P[],
    before?: Pick<WorkflowRun, 'id' | 'createdAt'>,
  ): Promise<Pick<WorkflowRun, P>[]> {
    return listQuery(this.contextual(), WorkflowRun, fields).ownedBy(userId).newestFirst('createdAt', 'id', limit, before).rows();
  }

  /**
   * Every run (operators), newest first, narrowed by `filter`, older than the `before` run when
   * given: read-only rows, as `listForUser`.
   */
  async listAll<P extends keyof WorkflowRun & string>(
    filter: RunFilter,
    limit: number,
    fields: readonly P[],
    before?: Pick<WorkflowRun, 'id' | 'createdAt'>,
  ): Promise<Pick<WorkflowRun, P>[]> {
    const list = listQuery(this.contextual(), WorkflowRun, fields).whereNull('deletedAt');
    if (filter.state) list.where('state', '=', filter.state);
    if (filter.jobName) list.where('jobName', '=', filter.jobName);
    if (filter.userId) list.where('userId', '=', filter.userId);
    if (filter.from) list.where('createdAt', '>=', filter.from);
    if (filter.to) list.where('createdAt', '<', filter.to);
    return list.newestFirst('createdAt', 'id', limit, before).rows();
  }

  /** Runs created since `since`, counted by job and state. */
  async countByJobAndState(since: Date): Promise<Array<{ jobName: string; state: RunState; count: number }>> {
    const rows = await this.contextual().getConnection().execute<Array<{ job_name: string; state: RunState; count: number }>>(
      `select job_name, state, count(*)::int as count from workflow_runs
       where created_at >= ? and deleted_at is null group by job_name, state order by job_name, state`,
      [since],
    );
    return rows.map((row) => ({ jobName: row.job_name, state: row.state, count: row.count }));
  }

  /** Runs that ended since `since`: how many COMPLETED and how many FAILED (cancelled ones are neither). */
  async countFinished(since: Date): Promise<{ completed: number; failed: number }> {
    const [row] = await this.contextual().getConnection().execute<Array<{ completed: number; failed: number }>>(
      `select count(*) filter (where state = 'COMPLETED')::int as completed, count(*) filter (where state = 'FAILED')::int as failed
       from workflow_runs where finished_at >= ? and state in ('COMPLETED', 'FAILED') and deleted_at is null`,
      [since],
    );
    return { completed: row?.completed ?? 0, failed: row?.failed ?? 0 };
  }

  /** How many runs are PENDING, and since when the oldest of them has been. */
  async pendingBacklog(): Promise<{ pending: number; oldestCreatedAt: Date | null }> {
    const [row] = await this.contextual().getConnection().execute<Array<{ pending: number; oldest: Date | string | null }>>(
      `select count(*)::int as pending, min(created_at) as oldest from workflow_runs where state = 'PENDING' and deleted_at is null`,
    );
    return { pending: row?.pending ?? 0, oldestCreatedAt: row?.oldest ? new Date(row.oldest) : null };
  }

  findForUser(userId: string, id: string): Promise<WorkflowRun | null> {
    return this.contextual().findOne(WorkflowRun, { id, userId, deletedAt: null });
  }

  /**
   * Locks the run's row until the caller's transaction ends (FOR SHARE) if the run is still RUNNING
   * at `attempts`; false when it was cancelled, erased or taken over by another worker. A cancel
   * updates that row, so it waits for the transaction; see `RunContext.storeResults`.
   */
  async lockIfRunning(id: string, attempts: number, em: EntityManager): Promise<boolean> {
    if (!em.isInTransaction()) {
      throw new Error('RunsRepository.lockIfRunning must be called inside the transaction that writes for the run');
    }
    const rows = await em.execute<unknown[]>(
      "select 1 from workflow_runs where id = ? and state = 'RUNNING' and attempts = ? and deleted_at is null for share",
      [id, attempts],
    );
    return rows.length === 1;
  }

  /**
   * Appends a log line to an existing run, under a share lock of its row: a line written while
   * the run is being erased waits for the erasure and is then not written, instead of surviving it
   * with the person's id.
   */
  async insertLog(run: { id: string }, level: RunLogLevel, message: string, now: Date, em: EntityManager = this.contextual()): Promise<void> {
    await em.execute(
      `insert into run_logs (run_id, user_id, level, message, created_at)
       select id, user_id, ?, ?, ? from workflow_runs where id = ? and deleted_at is null for share`,
      [level, message, now, run.id],
    );
  }

  listLogs(runId: string, limit: number): Promise<RunLog[]> {
    return this.contextual().find(RunLog, { runId, deletedAt: null }, { orderBy: { id: 'asc' }, limit });
  }
}
