// Failed authentications per client IP, counted before any token is verified: a client that keeps
// sending bad tokens (guessing, or forcing JWKS look-ups with made-up key ids) is refused with 429
// without costing a verification. Shared through Redis in server mode (every instance counts the
// same client), in memory in embedded mode. Written here rather than with @nestjs/throttler: its
// storage counts every request it is asked about, and this limit counts only the failures.
import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../clock/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS_CLIENT } from '../redis/redis.module';

const WINDOW_MS = 60_000;
const REDIS_PREFIX = 'repazoo:auth-failures:';
/** The in-memory map keeps at most this many clients (the oldest window is dropped first). */
const MAX_TRACKED_CLIENTS = 100_000;

@Injectable()
export class FailedAuthLimiter {
  private readonly local = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'rateLimits'>,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until this client may try again, or 0 when it may try now. */
  async blockedFor(ip: string): Promise<number> {
    const limit = this.config.rateLimits.authFailuresPerMinute;
    if (this.redis) {
      // Every authenticated request asks this: one GET, and the key's remaining time only for a
      // client that is blocked (a MULTI of GET and PTTL cost a tenth of a small request's CPU).
      const count = await this.redis.get(REDIS_PREFIX + ip);
      if (Number(count ?? 0) < limit) return 0;
      const ttl = await this.redis.pttl(REDIS_PREFIX + ip);
      // The key may expire between the two calls: the window is over, the client may try again.
      return ttl === -2 ? 0 : Math.max(1, ttl);
    }
    const entry = this.local.get(ip);
    const now = this.clock.nowMs();
    return entry && entry.resetAt > now && entry.failures >= limit ? entry.resetAt - now : 0;
  }

  async recordFailure(ip: string): Promise<void> {
    if (this.redis) {
      const key = REDIS_PREFIX + ip;
      // The window starts with the first failure; INCR keeps the key's expiry.
      await this.redis.multi().set(key, 0, 'PX', WINDOW_MS, 'NX').incr(key).exec();
      return;
    }
    const now = this.clock.nowMs();
    const entry = this.local.get(ip);
    if (entry && entry.resetAt > now) {
      entry.failures += 1;
      return;
    }
    if (this.local.size >= MAX_TRACKED_CLIENTS) this.local.delete(this.local.keys().next().value as string);
    this.local.delete(ip);
    this.local.set(ip, { failures: 1, resetAt: now + WINDOW_MS });
  }
}
