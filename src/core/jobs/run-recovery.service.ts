// Puts runs back on the queue when their job is gone: at boot in embedded mode (the in-memory
// queue died with the previous process), and periodically in server mode (Redis lost data, the
// process died between insert and enqueue, BullMQ gave up on a job that stalled too often). A
// RUNNING run is resumed through the normal path: next attempt, or FAILED if none is left.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { LockService } from '../locks/lock.service';
import { RunState } from './entities/workflow-run.entity';
import { JOBS_OPTIONS, JobsOptions } from './jobs.options';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';

const BATCH = 200;
const RECOVERY_LOCK = 'runs:recovery';
const RECOVERY_LOCK_TTL_MS = 60_000;

@Injectable()
export class RunRecoveryService {
  private readonly logger = new Logger('RunRecovery');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly runs: RunsRepository,
    private readonly queue: RunQueue,
    private readonly locks: LockService,
    private readonly clock: Clock,
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
  ) {}

  /**
   * Re-enqueues every unfinished run untouched for `graceMs` that has no live job. Returns how many
   * it re-enqueued.
   */
  async recoverOrphanedRuns(graceMs: number): Promise<number> {
    const olderThan = new Date(this.clock.nowMs() - graceMs);
    let afterId: string | undefined;
    let recovered = 0;
    for (;;) {
      const batch = await this.runs.findUnfinishedBatch(olderThan, afterId, BATCH);
      for (const run of batch) {
        if (await this.queue.isQueued(run.id)) continue;
        const waitMs =
          run.state === RunState.PENDING && run.nextAttemptAt ? Math.max(0, run.nextAttemptAt.getTime() - this.clock.nowMs()) : 0;
        await this.queue.enqueue(run.id, waitMs);
        recovered += 1;
      }
      if (batch.length < BATCH) break;
      afterId = batch[batch.length - 1].id;
    }
    if (recovered > 0) this.logger.warn(`re-enqueued ${recovered} run(s) that had no job in the queue`);
    return recovered;
  }

  /**
   * Embedded mode owns its database alone, so at boot every unfinished run is an orphan. Server mode
   * shares it with other instances: only runs untouched for the grace period are looked at, under a
   * lock, and again every `recoveryIntervalMs`.
   */
  async start(ownsDatabase: boolean): Promise<void> {
    if (ownsDatabase) {
      await this.recoverOrphanedRuns(0);
    } else {
      // In the background: boot must not wait for a Redis that is down.
      this.sweepInBackground();
    }
    if (this.options.recoveryIntervalMs > 0) {
      this.timer = setInterval(() => this.sweepInBackground(), this.options.recoveryIntervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  private sweepInBackground(): void {
    if (this.sweeping) return;
    this.sweeping = this.sweepUnderLock().finally(() => {
      this.sweeping = undefined;
    });
  }

  private async sweepUnderLock(): Promise<void> {
    try {
      await this.locks.withLock(RECOVERY_LOCK, RECOVERY_LOCK_TTL_MS, () => this.recoverOrphanedRuns(this.options.recoveryGraceMs));
    } catch (error) {
      this.logger.warn({ msg: 'run recovery sweep failed; next sweep retries', err: error });
    }
  }
}
