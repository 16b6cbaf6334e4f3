import { DiscoveryService } from '@nestjs/core';
import type { JobKey, JobPayloads, JobResult, ScheduledJobPayload } from '../jobs/job-payloads';

/** The job names whose runs are scheduled ones (their payload is a `ScheduledJobPayload`). */
export type ScheduledJobName = {
  [N in JobKey]: JobPayloads[N] extends ScheduledJobPayload ? N : never;
}[JobKey];

export interface ScheduledRunOptions {
  /** How long the job's lock outlives a crashed holder; a live holder keeps extending it. */
  lockTtlMs?: number;
}

export interface ScheduledRunMetadata extends ScheduledRunOptions {
  name: ScheduledJobName;
}

/** The metadata `@OnScheduledRun` puts on a method; `ScheduledJobsService` looks for it. */
export const OnScheduledRunMetadata = DiscoveryService.createDecorator<ScheduledRunMetadata>();

/**
 * Declares the method as the work of a scheduled job. `ScheduledJobsService` finds it at bootstrap
 * and registers the job's run handler, which calls the method under a lock named after the job
 * (so a cron tick and an operator's run never overlap across instances), and lists the job in
 * `GET /api/admin/jobs`. Pair it with the `@Cron` method that calls `ScheduledJobsService.trigger`:
 *
 *   @OnScheduledRun(JobName.RetentionCleanupDaily)
 *   async cleanup(): Promise<JobResult> { ... }
 *
 *   @Cron(RETENTION_CRON, { name: JobName.RetentionCleanupDaily, timeZone: 'UTC' })
 *   async runDaily(): Promise<void> { await this.scheduledJobs.trigger(JobName.RetentionCleanupDaily); }
 */
export function OnScheduledRun(name: ScheduledJobName, options: ScheduledRunOptions = {}) {
  const decorate = OnScheduledRunMetadata({ name, ...options });
  return <M extends () => Promise<JobResult>>(target: object, method: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    decorate(target, method, descriptor);
  };
}
