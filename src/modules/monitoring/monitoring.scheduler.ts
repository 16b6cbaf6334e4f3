// Cron only schedules: every 5 minutes the tick starts one `monitoring_check` run across all
// instances (ScheduledJobsService), whose handler calls `runChecks` under the job's lock. The
// same run is what `POST /api/admin/jobs/monitoring_check/run` starts.
import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { JobName, JobResult } from '../../core/jobs/job-payloads';
import { OnScheduledRun } from '../../core/scheduling/on-scheduled-run.decorator';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { MonitoringService } from './monitoring.service';

export const MONITORING_CHECK_CRON = '*/5 * * * *';
/** Bounds how long a crashed holder keeps the lock; a live one keeps extending it. */
export const MONITORING_LOCK_TTL_MS = 4 * 60_000;

@Injectable()
export class MonitoringScheduler {
  constructor(
    private readonly monitoring: MonitoringService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  @OnScheduledRun(JobName.MonitoringCheck, { lockTtlMs: MONITORING_LOCK_TTL_MS })
  async runChecks(): Promise<JobResult> {
    // Counts and alert kinds only: the run's result is shown by the runs API.
    const report = await this.monitoring.runChecks();
    return { ...report };
  }

  @Cron(MONITORING_CHECK_CRON, { name: JobName.MonitoringCheck, timeZone: 'UTC', waitForCompletion: true })
  async runScheduledCheck(): Promise<void> {
    await this.scheduledJobs.trigger(JobName.MonitoringCheck);
  }
}
