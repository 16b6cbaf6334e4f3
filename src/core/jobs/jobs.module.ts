import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { BullMqRunQueue } from './bullmq-run-queue';
import { InProcessRunQueue } from './in-process-run-queue';
import { JobHandlerDiscovery } from './job-handler.discovery';
import { JobHandlerRegistry } from './job-handler.registry';
import { JOBS_OPTIONS, JobsOptions, JobsOptionsOverrides, resolveJobsOptions } from './jobs.options';
import { JobsWorkerLifecycle } from './jobs-worker.lifecycle';
import { RunExecutor } from './run-executor';
import { RunQueue } from './run-queue';
import { RunRecoveryService } from './run-recovery.service';
import { RunsController } from './runs.controller';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

/**
 * The run engine: `RunsService` for every module (global), the runs API, this process's worker, and
 * the handler registry that `@OnRun` methods are collected into.
 * Needs ConfigModule, ClockModule, DatabaseModule and LocksModule from the app.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(overrides: JobsOptionsOverrides = {}): DynamicModule {
    return {
      module: JobsModule,
      imports: [DiscoveryModule],
      controllers: [RunsController],
      providers: [
        { provide: JOBS_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => resolveJobsOptions(config, overrides) },
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
        JobHandlerRegistry,
        JobHandlerDiscovery,
        RunsRepository,
        RunExecutor,
        RunsService,
        RunRecoveryService,
        JobsWorkerLifecycle,
      ],
      exports: [RunsService, JobHandlerRegistry],
    };
  }
}
