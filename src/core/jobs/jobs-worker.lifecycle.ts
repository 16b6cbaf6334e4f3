// Starts this process's worker once every module has registered its handlers
// (onApplicationBootstrap comes after all onModuleInit hooks). On shutdown it takes no new job
// first (onModuleDestroy, when the HTTP server stops listening too), then lets the active runs
// finish or hands them back (beforeApplicationShutdown), while the database is still open.
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JOBS_OPTIONS, JobsOptions } from './jobs.options';
import { RunExecutor } from './run-executor';
import { RunQueue } from './run-queue';
import { RunRecoveryService } from './run-recovery.service';

@Injectable()
export class JobsWorkerLifecycle implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Runs');
  private closed = false;

  constructor(
    private readonly queue: RunQueue,
    private readonly executor: RunExecutor,
    private readonly recovery: RunRecoveryService,
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.runWorker) {
      if (this.queue.driver === 'bullmq') {
        this.logger.log(`run worker disabled (RUN_WORKER=false): runs are queued on "${this.options.queueName}" for other workers`);
      } else {
        // The CLI's one-shot context; in the app this is a misconfiguration, nobody else can run them.
        this.logger.warn('run worker disabled: runs started by this process wait until the app starts with a worker');
      }
      return;
    }
    await this.queue.startWorker((runId) => this.executor.process(runId));
    await this.recovery.start(this.config.mode === 'embedded');
    this.logger.log(
      this.queue.driver === 'bullmq'
        ? `run worker started on BullMQ queue "${this.options.queueName}" (concurrency ${this.options.concurrency})`
        : `in-process run worker started (concurrency ${this.options.concurrency})`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.recovery.stop();
    this.queue.stopTaking();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close({
      graceMs: this.options.shutdownGraceMs,
      onGraceExpired: () => {
        this.logger.warn(`${this.executor.activeCount} run(s) still active after ${this.options.shutdownGraceMs} ms; handing them back`);
        this.executor.abortAll();
      },
    });
    if (this.options.runWorker) this.logger.log('run worker stopped');
  }
}
