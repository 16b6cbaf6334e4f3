import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { JobName, JobResult } from '../../core/jobs/job-payloads';
import { OnScheduledRun } from '../../core/scheduling/on-scheduled-run.decorator';
import { ScheduledJobsService } from '../../core/scheduling/scheduled-jobs.service';
import { ConsentNoticesService } from './consent-notices.service';

/** Daily at 09:00 UTC: a notice read in the morning rather than at night, after retention (03:00) and the deletion check (04:00). */
export const CONSENT_NOTICES_CRON = '0 9 * * *';

/** Cron only schedules: the tick starts one run (across all instances) that writes the notices under the job's lock. */
@Injectable()
export class ConsentNoticesScheduler {
  constructor(
    private readonly notices: ConsentNoticesService,
    private readonly scheduledJobs: ScheduledJobsService,
  ) {}

  @OnScheduledRun(JobName.ConsentExpiryNotices)
  sendExpiryNotices(): Promise<JobResult> {
    return this.notices.sendExpiryNotices();
  }

  @Cron(CONSENT_NOTICES_CRON, { name: JobName.ConsentExpiryNotices, timeZone: 'UTC' })
  async runDaily(): Promise<void> {
    await this.scheduledJobs.trigger(JobName.ConsentExpiryNotices);
  }
}
