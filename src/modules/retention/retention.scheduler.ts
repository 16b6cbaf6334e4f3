import { Injectable, OnModuleInit } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { RetentionService } from './retention.service';

export const RETENTION_JOB_NAME = 'retention_cleanup_daily';
export const RETENTION_CRON = '0 3 * * *';

/**
 * Cron only schedules: the tick starts one run (across all instances) whose handler runs the
 * cleanup under the job's lock. The admin route and the CLI call the same service.
 */
@Injectable()
export class RetentionScheduler implements OnModuleInit {
  constructor(
    private readonly retention: RetentionService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  onModuleInit(): void {
    this.scheduledJobs.register(RETENTION_JOB_NAME, async () => {
      const result = await this.retention.cleanupExpiredRecords();
      return { ...result };
    });
  }

  @Cron(RETENTION_CRON, { name: RETENTION_JOB_NAME, timeZone: 'UTC' })
  async runDaily(): Promise<void> {
    await this.scheduledJobs.trigger(RETENTION_JOB_NAME);
  }
}
