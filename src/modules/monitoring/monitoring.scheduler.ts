// Cron only schedules: every 5 minutes the tick starts one `monitoring_check` run across all
// instances (ScheduledJobsService), whose handler calls `runChecks` under the job's lock. The
// same run is what `POST /api/admin/jobs/monitoring_check/run` starts.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { MonitoringService } from './monitoring.service';

export const MONITORING_CHECK_JOB = 'monitoring_check';
export const MONITORING_CHECK_CRON = '*/5 * * * *';
/** Bounds how long a crashed holder keeps the lock; a live one keeps extending it. */
export const MONITORING_LOCK_TTL_MS = 4 * 60_000;

@Injectable()
export class MonitoringScheduler implements OnModuleInit {
  constructor(
    private readonly monitoring: MonitoringService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  onModuleInit(): void {
    this.scheduledJobs.register(
      MONITORING_CHECK_JOB,
      async () => {
        // Counts and alert kinds only: the run's result is shown by the runs API.
        const report = await this.monitoring.runChecks();
        return { ...report };
      },
      MONITORING_LOCK_TTL_MS,
    );
  }

  @Cron(MONITORING_CHECK_CRON, { name: MONITORING_CHECK_JOB, timeZone: 'UTC', waitForCompletion: true })
  async runScheduledCheck(): Promise<void> {
    await this.scheduledJobs.trigger(MONITORING_CHECK_JOB);
  }
}
