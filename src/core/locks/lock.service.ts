// Mutual exclusion by name, for work that must run on one instance at a time (scheduled @Cron
// jobs, the run-recovery sweep): `if (!(await locks.withLock('retention', 60_000, () => work()))) skip`.
// Redis-backed in server mode (RedisLockService), in-process in embedded mode.
import { Logger } from '@nestjs/common';

/** `fn` receives a signal that is aborted if the lock is lost while it runs (its TTL could not be extended). */
export type LockedWork = (signal: AbortSignal) => Promise<unknown>;

export abstract class LockService {
  /**
   * Runs `fn` while holding the lock `name`, and returns true; returns false at once, without
   * running it, when someone else holds the lock. `ttlMs` bounds how long a crashed holder can keep
   * the lock; a live holder keeps extending it until `fn` settles. Errors of `fn` propagate (the
   * lock is released first); so do errors reaching the lock store.
   */
  abstract withLock(name: string, ttlMs: number, fn: LockedWork): Promise<boolean>;
}

/** One process only: the holder is this process, so a crash releases everything. */
export class InProcessLockService extends LockService {
  private readonly held = new Set<string>();

  async withLock(name: string, ttlMs: number, fn: LockedWork): Promise<boolean> {
    validateTtl(ttlMs);
    if (this.held.has(name)) return false;
    this.held.add(name);
    try {
      await fn(new AbortController().signal);
      return true;
    } finally {
      this.held.delete(name);
    }
  }
}

export function validateTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 100) throw new RangeError(`Lock TTL must be an integer >= 100 ms, got ${ttlMs}`);
}

export const lockLogger = new Logger('Locks');
