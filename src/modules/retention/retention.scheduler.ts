import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { JobName, JobResult } from '../../core/jobs/job-payloads';
import { OnScheduledRun } from '../../core/scheduling/on-scheduled-run.decorator';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { RetentionService } from './retention.service';

export const RETENTION_CRON = '0 3 * * *';

/**
 * Cron only schedules: the tick starts one run (across all instances) whose handler runs the
 * cleanup under the job's lock. The admin route and the CLI call the same service.
 */
@Injectable()
export class RetentionScheduler {
  constructor(
    private readonly retention: RetentionService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  @OnScheduledRun(JobName.RetentionCleanupDaily)
  async cleanupExpiredRecords(): Promise<JobResult> {
    const result = await this.retention.cleanupExpiredRecords();
    return { ...result };
  }

  @Cron(RETENTION_CRON, { name: JobName.RetentionCleanupDaily, timeZone: 'UTC' })
  async runDaily(): Promise<void> {
    await this.scheduledJobs.trigger(JobName.RetentionCleanupDaily);
  }
}
