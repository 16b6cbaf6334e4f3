import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { Clock, ManualClock } from '../clock/clock';
import { JobHandlerDiscovery } from '../jobs/job-handler.discovery';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobName, JobResult } from '../jobs/job-payloads';
import { OnRun } from '../jobs/on-run.decorator';
import type { RunContext } from '../jobs/run-context';
import { RunsService } from '../jobs/runs.service';
import { InProcessLockService, LockService } from '../locks/lock.service';
import { OnScheduledRun } from './on-scheduled-run.decorator';
import { ScheduledJobsService } from './scheduled-jobs.service';

@Injectable()
class RetentionLikeScheduler {
  calls = 0;

  @OnScheduledRun(JobName.RetentionCleanupDaily)
  async cleanup(): Promise<JobResult> {
    this.calls += 1;
    return { removed: this.calls };
  }
}

@Injectable()
class AlsoHandlesRetention {
  @OnRun(JobName.RetentionCleanupDaily)
  async cleanup(): Promise<JobResult> {
    return {};
  }
}

async function boot(...providers: Array<new (...args: never[]) => object>) {
  @Module({ providers })
  class FeatureModule {}
  const locks = new InProcessLockService();
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, FeatureModule],
    providers: [
      JobHandlerRegistry,
      JobHandlerDiscovery,
      ScheduledJobsService,
      { provide: LockService, useValue: locks },
      { provide: RunsService, useValue: {} },
      { provide: SchedulerRegistry, useValue: { doesExist: () => false } },
      { provide: EntityManager, useValue: { fork: () => ({ findOne: async () => null }) } },
      { provide: Clock, useValue: new ManualClock(0) },
    ],
  }).compile();
  await moduleRef.init();
  return { moduleRef, locks };
}

const context = { payload: { trigger: 'admin' } } as RunContext<JobName.RetentionCleanupDaily>;

describe(ScheduledJobsService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('should register an @OnScheduledRun method as the job’s handler and list the job', async () => {
    const { moduleRef } = await boot(RetentionLikeScheduler);
    const handler = moduleRef.get(JobHandlerRegistry).get(JobName.RetentionCleanupDaily);

    await expect(handler?.(context)).resolves.toEqual({ removed: 1 });
    expect(moduleRef.get(RetentionLikeScheduler).calls).toBe(1);
    await expect(moduleRef.get(ScheduledJobsService).list()).resolves.toEqual([
      { name: 'retention_cleanup_daily', cron: null, timeZone: 'UTC', nextRunAt: null, lastRun: null },
    ]);
    await moduleRef.close();
  });

  it('should skip the work while another execution holds the job’s lock', async () => {
    const { moduleRef, locks } = await boot(RetentionLikeScheduler);
    const handler = moduleRef.get(JobHandlerRegistry).get(JobName.RetentionCleanupDaily);

    let result: JobResult = { notRun: true };
    await locks.withLock('scheduled:retention_cleanup_daily', 10_000, async () => {
      result = await handler?.(context);
    });

    expect(result).toEqual({ skipped: 'another execution of this job was running' });
    expect(moduleRef.get(RetentionLikeScheduler).calls).toBe(0);
    await moduleRef.close();
  });

  it('should fail the boot when an @OnRun method handles a scheduled job too', async () => {
    await expect(boot(RetentionLikeScheduler, AlsoHandlesRetention)).rejects.toThrow(/Job "retention_cleanup_daily" has two handlers, .* and .*; a job name takes exactly one/);
  });
});
