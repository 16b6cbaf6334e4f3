import { Injectable, OnModuleInit } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { TwitterDeletionService } from './twitter-deletion.service';

export const TWITTER_DELETION_JOB_NAME = 'twitter_deletion_check';
/** Daily at 04:00 UTC, an hour after retention so the two never compete for the database. */
export const TWITTER_DELETION_CRON = '0 4 * * *';
/** Many users' lookups can take a while; the lock outlives a crashed holder by at most this. */
const DELETION_LOCK_TTL_MS = 60 * 60_000;

/** Cron only schedules: the tick starts one run (across all instances) that does the check under the job's lock. */
@Injectable()
export class TwitterDeletionScheduler implements OnModuleInit {
  constructor(
    private readonly deletion: TwitterDeletionService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  onModuleInit(): void {
    this.scheduledJobs.register(TWITTER_DELETION_JOB_NAME, () => this.deletion.removeTweetsDeletedOnX(), DELETION_LOCK_TTL_MS);
  }

  @Cron(TWITTER_DELETION_CRON, { name: TWITTER_DELETION_JOB_NAME, timeZone: 'UTC' })
  async runDaily(): Promise<void> {
    await this.scheduledJobs.trigger(TWITTER_DELETION_JOB_NAME);
  }
}
