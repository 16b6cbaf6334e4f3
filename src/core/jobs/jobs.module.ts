import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RequestContextModule } from '../context/request-context.module';
import { AuditModule } from '../audit/audit.module';
import { LocksModule } from '../locks/locks.module';
import { AdminRunsController } from './admin-runs.controller';
import { AdminRunsService } from './admin-runs.service';
import { BullMqRunQueue } from './bullmq-run-queue';
import { InProcessRunQueue } from './in-process-run-queue';
import { JobHandlerDiscovery } from './job-handler.discovery';
import { JobHandlerRegistry } from './job-handler.registry';
import { JOBS_OPTIONS, JobsOptions, resolveJobsOptions } from './jobs.options';
import { JobsWorkerLifecycle } from './jobs-worker.lifecycle';
import { RunExecutor } from './run-executor';
import { InProcessRunEvents, RedisRunEvents, RunEvents } from './run-events';
import { RunQueue } from './run-queue';
import { RunRecoveryService } from './run-recovery.service';
import { RunsController } from './runs.controller';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';
import { PersonalDataModule } from '../personal-data';
import { JOBS_PERSONAL_DATA } from './jobs.personal-data';

/** Closes the event connections last, after the workers (which publish) have stopped. */
@Injectable()
class RunEventsLifecycle implements OnApplicationShutdown {
  constructor(private readonly events: RunEvents) {}

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
  }
}

/**
 * The run engine: `RunsService` for the modules that start runs, the runs API, this process's
 * worker, and the handler registry that `@OnRun` methods are collected into.
 * A static module, imported by every module that starts runs: Nest builds it once, so there is one
 * queue and one worker per process. Its tunables come from the (global) AppConfig; a test that
 * needs shorter delays overrides `JOBS_OPTIONS` (`Test.createTestingModule(...).overrideProvider`,
 * see test/integration/jobs/support/jobs-harness.ts) instead of configuring a second instance.
 */
@Module({
  imports: [PersonalDataModule.declare('jobs', JOBS_PERSONAL_DATA), DiscoveryModule, RequestContextModule, LocksModule, AuditModule],
  controllers: [RunsController, AdminRunsController],
  providers: [
    { provide: JOBS_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => resolveJobsOptions(config) },
    {
      provide: RunQueue,
      inject: [JOBS_OPTIONS, APP_CONFIG],
      useFactory: (options: JobsOptions, config: AppConfig): RunQueue => {
        if (options.driver === 'in-process') return new InProcessRunQueue(options.concurrency);
        if (!config.redisUrl) throw new Error('The BullMQ run queue needs REDIS_URL');
        return new BullMqRunQueue({
          redisUrl: config.redisUrl,
          queueName: options.queueName,
          prefix: options.queuePrefix,
          concurrency: options.concurrency,
          lockDurationMs: options.lockDurationMs,
          stalledIntervalMs: options.stalledIntervalMs,
          maxStalledCount: options.maxStalledCount,
        });
      },
    },
    {
      provide: RunEvents,
      inject: [JOBS_OPTIONS, APP_CONFIG],
      useFactory: (options: JobsOptions, config: AppConfig): RunEvents =>
        options.driver === 'bullmq' && config.redisUrl
          ? new RedisRunEvents(config.redisUrl, `${options.queuePrefix}:${options.queueName}:run-events`)
          : new InProcessRunEvents(),
    },
    RunEventsLifecycle,
    JobHandlerRegistry,
    JobHandlerDiscovery,
    RunsRepository,
    RunExecutor,
    RunsService,
    AdminRunsService,
    RunRecoveryService,
    JobsWorkerLifecycle,
  ],
  exports: [RunsService, JobHandlerRegistry, RunEvents],
})
export class JobsModule {}
