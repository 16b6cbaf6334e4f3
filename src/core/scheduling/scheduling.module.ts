import { Global, Module } from '@nestjs/common';
import { ScheduledJobsController } from './scheduled-jobs.controller';
import { ScheduledJobsService } from './scheduled-jobs.service';

@Global()
@Module({ controllers: [ScheduledJobsController], providers: [ScheduledJobsService], exports: [ScheduledJobsService] })
export class SchedulingModule {}
