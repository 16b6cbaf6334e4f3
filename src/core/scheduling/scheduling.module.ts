import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduledJobsController } from './scheduled-jobs.controller';
import { ScheduledJobsService } from './scheduled-jobs.service';

@Global()
@Module({ imports: [DiscoveryModule], controllers: [ScheduledJobsController], providers: [ScheduledJobsService], exports: [ScheduledJobsService] })
export class SchedulingModule {}
