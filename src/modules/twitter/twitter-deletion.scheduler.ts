import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { JobName, JobResult } from '../../core/jobs/job-payloads';
import { OnScheduledRun } from '../../core/scheduling/on-scheduled-run.decorator';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { TwitterDeletionService } from './twitter-deletion.service';

/** Daily at 04:00 UTC, an hour after retention so the two never compete for the database. */
export const TWITTER_DELETION_CRON = '0 4 * * *';
/** Many users' lookups can take a while; the lock outlives a crashed holder by at most this. */
const DELETION_LOCK_TTL_MS = 60 * 60_000;

/** Cron only schedules: the tick starts one run (across all instances) that does the check under the job's lock. */
@Injectable()
export class TwitterDeletionScheduler {
  constructor(
    private readonly deletion: TwitterDeletionService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  @OnScheduledRun(JobName.TwitterDeletionCheck, { lockTtlMs: DELETION_LOCK_TTL_MS })
  removeTweetsDeletedOnX(): Promise<JobResult> {
    return this.deletion.removeTweetsDeletedOnX();
  }

  @Cron(TWITTER_DELETION_CRON, { name: JobName.TwitterDeletionCheck, timeZone: 'UTC' })
  async runDaily(): Promise<void> {
    await this.scheduledJobs.trigger(JobName.TwitterDeletionCheck);
  }
}
