// Scheduled jobs (retention_cleanup_daily, monitoring_check, twitter_deletion_check, ...). The work
// is an `@OnScheduledRun(JobName.X)` method and a @Cron method only calls `trigger(name)`; every
// execution, from cron or from an operator, is a run of the run engine (so it has a state,
// attempts, a result and a redacted error), and the work itself runs under a lock named after the
// job, so two executions never overlap across instances.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../clock/clock';
import { RunFlow, RunState, WorkflowRun } from '../jobs/entities/workflow-run.entity';
import { findDecoratedMethods } from '../jobs/decorated-methods';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import type { JobResult } from '../jobs/job-payloads';
import { RunsService } from '../jobs/runs.service';
import { LockService } from '../locks/lock.service';
import { OnScheduledRunMetadata, ScheduledJobName } from './on-scheduled-run.decorator';
import { ScheduledJobNotFoundException } from './scheduling.exception';

export type { ScheduledJobName } from './on-scheduled-run.decorator';

export interface ScheduledJobInfo {
  name: ScheduledJobName;
  cron: string | null;
  timeZone: string;
  nextRunAt: string | null;
  lastRun: { runId: string; state: RunState; startedAt: string | null; finishedAt: string | null } | null;
}

/** Two instances ticking at the same minute must start one run: a second trigger within this window is skipped. */
const CRON_DEDUP_WINDOW_MS = 60_000;
const DEFAULT_LOCK_TTL_MS = 10 * 60_000;

@Injectable()
export class ScheduledJobsService implements OnModuleInit {
  private readonly logger = new Logger('ScheduledJobs');
  private readonly registered = new Set<ScheduledJobName>();

  constructor(
    private readonly runs: RunsService,
    private readonly handlers: JobHandlerRegistry,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly locks: LockService,
    private readonly scheduler: SchedulerRegistry,
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** Registers a run handler for every `@OnScheduledRun` method, before workers start. */
  onModuleInit(): void {
    for (const { metadata, origin, call } of findDecoratedMethods(this.discovery, this.scanner, OnScheduledRunMetadata)) {
      // `@OnScheduledRun` only accepts a method that takes nothing and returns a job result.
      this.register(metadata.name, call as () => Promise<JobResult>, metadata.lockTtlMs ?? DEFAULT_LOCK_TTL_MS, origin);
    }
  }

  /** Called by @Cron methods: starts one run per tick across all instances. */
  async trigger(name: ScheduledJobName): Promise<void> {
    try {
      await this.locks.withLock(`cron:${name}`, CRON_DEDUP_WINDOW_MS, async () => {
        if (await this.startedWithin(name, CRON_DEDUP_WINDOW_MS)) return;
        await this.runs.startRun(RunFlow.SCHEDULED, name, null, { trigger: 'cron' }, { maxAttempts: 1 });
      });
    } catch (error) {
      // A cron tick must never crash the process; the next tick tries again.
      this.logger.error({ msg: 'could not start scheduled job', job: name }, error instanceof Error ? error : undefined);
    }
  }

  /** `POST /api/admin/jobs/:name/run`. */
  async runNow(name: string): Promise<{ runId: string }> {
    const job = this.asRegistered(name);
    const run = await this.runs.startRun(RunFlow.SCHEDULED, job, null, { trigger: 'admin' }, { maxAttempts: 1 });
    return { runId: run.id };
  }

  async list(): Promise<ScheduledJobInfo[]> {
    const names = [...this.registered].sort();
    return Promise.all(names.map((name) => this.describe(name)));
  }

  private async describe(name: ScheduledJobName): Promise<ScheduledJobInfo> {
    const cronJob = this.scheduler.doesExist('cron', name) ? this.scheduler.getCronJob(name) : undefined;
    const last = await this.em.fork().findOne(
      WorkflowRun,
      { jobName: name, flow: RunFlow.SCHEDULED },
      { orderBy: { createdAt: 'desc' } },
    );
    return {
      name,
      cron: cronJob ? String(cronJob.cronTime.source) : null,
      timeZone: 'UTC',
      nextRunAt: cronJob ? (cronJob.nextDate().toUTC().toISO() ?? null) : null,
      lastRun: last
        ? {
            runId: last.id,
            state: last.state,
            startedAt: last.startedAt?.toISOString() ?? null,
            finishedAt: last.finishedAt?.toISOString() ?? null,
          }
        : null,
    };
  }

  private register(name: ScheduledJobName, work: () => Promise<JobResult>, lockTtlMs: number, origin: string): void {
    this.handlers.register(
      name,
      async () => {
        let result: JobResult = undefined;
        const ran = await this.locks.withLock(`scheduled:${name}`, lockTtlMs, async () => {
          result = await work();
        });
        return ran ? result : { skipped: 'another execution of this job was running' };
      },
      origin,
    );
    this.registered.add(name);
  }

  private asRegistered(name: string): ScheduledJobName {
    const job = [...this.registered].find((candidate) => candidate === name);
    if (!job) throw new ScheduledJobNotFoundException();
    return job;
  }

  private async startedWithin(name: ScheduledJobName, windowMs: number): Promise<boolean> {
    const since = new Date(this.clock.nowMs() - windowMs);
    const count = await this.em.fork().count(WorkflowRun, { jobName: name, flow: RunFlow.SCHEDULED, createdAt: { $gte: since } });
    return count > 0;
  }
}
