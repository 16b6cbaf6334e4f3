// Distributed lock on Redis: SET NX PX with a random token, released only by its holder (Lua
// compare-and-delete), and extended (Lua compare-and-pexpire) while the work runs so a long job
// keeps it and a crashed holder loses it after one TTL.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { LockedWork, LockService, lockLogger, validateTtl } from './lock.service';

const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLockOptions {
  /** Prefix of the lock keys (default `lock:`). */
  keyPrefix?: string;
}

export class RedisLockService extends LockService {
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisLockOptions = {},
  ) {
    super();
    this.keyPrefix = options.keyPrefix ?? 'lock:';
  }

  async withLock(name: string, ttlMs: number, fn: LockedWork): Promise<boolean> {
    validateTtl(ttlMs);
    const key = `${this.keyPrefix}${name}`;
    const token = randomBytes(16).toString('hex');
    const acquired = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    if (acquired !== 'OK') return false;

    const lost = new AbortController();
    // Extend well before expiry, so one slow round trip does not cost the lock.
    const timer = setInterval(() => {
      this.redis.eval(EXTEND_SCRIPT, 1, key, token, String(ttlMs)).then(
        (extended) => {
          if (Number(extended) !== 1 && !lost.signal.aborted) {
            lockLogger.warn({ msg: 'lock lost while its work was running', lock: name });
            lost.abort(new Error(`Lock ${name} was lost`));
          }
        },
        (error: unknown) => lockLogger.warn({ msg: 'could not extend lock', lock: name, err: error }),
      );
    }, Math.max(50, Math.floor(ttlMs / 3)));
    timer.unref();
    try {
      await fn(lost.signal);
      return true;
    } finally {
      clearInterval(timer);
      await this.redis
        .eval(RELEASE_SCRIPT, 1, key, token)
        .catch((error: unknown) => lockLogger.warn({ msg: 'could not release lock (it expires by itself)', lock: name, err: error }));
    }
  }
}
