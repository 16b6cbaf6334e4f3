import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { LockService } from '../../core/locks/lock.service';
import { RetentionService } from './retention.service';

export const RETENTION_JOB_NAME = 'retention_cleanup_daily';
export const RETENTION_CRON = '0 3 * * *';
/** Bounds how long a crashed holder keeps the lock; a live one keeps extending it. */
const RETENTION_LOCK_TTL_MS = 10 * 60 * 1000;

/** Cron only schedules: it takes the lock so one instance runs the cleanup, then calls the service. */
@Injectable()
export class RetentionScheduler {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly retention: RetentionService,
    private readonly locks: LockService,
  ) {}

  @Cron(RETENTION_CRON, { name: RETENTION_JOB_NAME, timeZone: 'UTC' })
  async runDaily(): Promise<void> {
    try {
      const ran = await this.locks.withLock(RETENTION_JOB_NAME, RETENTION_LOCK_TTL_MS, () => this.retention.cleanupExpiredRecords());
      if (!ran) this.logger.log('another instance is running the retention cleanup; skipped here');
    } catch (error) {
      this.logger.error({ msg: 'retention cleanup failed' }, error instanceof Error ? error : undefined);
    }
  }
}
