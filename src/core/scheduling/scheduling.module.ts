import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobsModule } from '../jobs/jobs.module';
import { LocksModule } from '../locks/locks.module';
import { ScheduledJobsController } from './scheduled-jobs.controller';
import { ScheduledJobsService } from './scheduled-jobs.service';

/**
 * `ScheduledJobsService` for the modules whose schedulers trigger runs, and the admin jobs API.
 * `SchedulerRegistry` comes from `ScheduleModule.forRoot()`, which the app registers once (global by
 * @nestjs/schedule's design: there is one cron registry per process).
 */
@Module({
  imports: [DiscoveryModule, JobsModule, LocksModule],
  controllers: [ScheduledJobsController],
  providers: [ScheduledJobsService],
  exports: [ScheduledJobsService],
})
export class SchedulingModule {}
