// The server-mode store: an exact sliding window log in a Redis sorted set, decided by one Lua
// script per request so every app instance shares the same count.
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisOutageLog } from '../../core/redis/redis-outage-log';
import { RateLimitStoreUnavailableException } from '../../core/rate-limit/rate-limit.exception';
import { ConsumeResult, RateLimitStore } from './rate-limit.store';
import { RedisConnection, RedisLuaScript } from './redis-lua-script';

/**
 * KEYS[1] the window log: a sorted set scored by admission time (ms), one unique member per entry.
 * KEYS[2] the block marker: blocked-until epoch ms, expiring at that moment.
 * ARGV: limit, windowMs, entry id.
 * Redis TIME is the clock, so app instances whose clocks disagree still decide alike. An entry
 * stamped `at` counts while `now < at + windowMs`. Refusals write nothing, so they neither consume
 * nor extend the window; PEXPIRE on admission lets an idle key vanish once its newest entry is old.
 * Stale entries are pruned only when the log is full and its oldest entry has left the window:
 * below the limit admitting is right whatever the stale entries, and a full log whose oldest entry
 * is live refuses without pruning. That keeps the common paths to four or five commands; the
 * decision stays exact, while `remaining` may understate (never overstate) what is left.
 * The reply is one integer, which is cheaper to build and read than a table (see decodeDecision).
 */
const CONSUME_SCRIPT = new RedisLuaScript(
  `
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local blockedUntil = tonumber(redis.call('GET', KEYS[2]))
if blockedUntil and blockedUntil > now then
  return -2 - 2 * (blockedUntil - now)
end

local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] == nil then
    return -1 - 2 * windowMs
  end
  local retryAfter = tonumber(oldest[2]) + windowMs - now
  if retryAfter > 0 then
    return -1 - 2 * retryAfter
  end
  count = count - redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
  if count >= limit then
    oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return -1 - 2 * (tonumber(oldest[2]) + windowMs - now)
  end
end

redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], windowMs)
return limit - count - 1
`,
  2,
);

/**
 * Reads the consume script's reply: `remaining` (>= 0) when admitted; when refused,
 * `-1 - (2 * retryAfterMs + blocked)`, blocked being 1 when a block marker refused.
 */
export function decodeDecision(reply: unknown, entryId: string): ConsumeResult {
  if (typeof reply !== 'number' || !Number.isSafeInteger(reply)) {
    throw new Error(`Unexpected reply from rate-limit script: ${JSON.stringify(reply)}`);
  }
  if (reply >= 0) {
    return { allowed: true, remaining: reply, retryAfterMs: 0, blocked: false, entryId };
  }
  const encoded = -1 - reply;
  const blocked = encoded % 2 === 1;
  return { allowed: false, remaining: 0, retryAfterMs: (encoded - (blocked ? 1 : 0)) / 2, blocked, entryId: null };
}

/**
 * KEYS[1] the block marker; ARGV[1] blocked-until epoch ms. Keeps the later of two blocks, because
 * instances learn of limits in any order and a short block must not cut a long one.
 */
const BLOCK_SCRIPT = new RedisLuaScript(
  `
local untilMs = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local current = tonumber(redis.call('GET', KEYS[1])) or 0
if untilMs > now and untilMs > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
  return 1
end
return 0
`,
  1,
);

export interface RateLimitRedisClientOptions {
  /** A decision that takes longer than this fails (closed) instead of holding the caller. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * A connection tuned to fail fast: no offline queue and no resending of commands after a
 * reconnect, so while Redis is away callers get an error at once (and make no provider call), and
 * a decision that failed is never replayed later to count a request that was not made.
 */
export function createRateLimitRedisClient(url: string, options: RateLimitRedisClientOptions = {}): Redis {
  return new Redis(url, {
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    // Keep reconnecting for as long as the app runs, so decisions resume once Redis is back.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  });
}

export interface RedisRateLimitStoreOptions {
  /** Prefix of every key; tests use a unique one. Default `rl`. */
  keyPrefix?: string;
  /** Whether `close()` also closes the connection. */
  ownsConnection?: boolean;
}

export class RedisRateLimitStore extends RateLimitStore {
  private readonly keyPrefix: string;
  private readonly ownsConnection: boolean;
  // Entry ids only need to be unique per key; instance id plus a counter is, across processes.
  private readonly instanceId = randomBytes(6).toString('base64url');
  private sequence = 0;

  constructor(
    readonly connection: RedisConnection,
    options: RedisRateLimitStoreOptions = {},
  ) {
    super();
    this.keyPrefix = options.keyPrefix ?? 'rl';
    this.ownsConnection = options.ownsConnection ?? false;
  }

  /** A store with its own fail-fast connection, closed by `close()`. */
  static connect(
    url: string,
    options: Omit<RedisRateLimitStoreOptions, 'ownsConnection'> & RateLimitRedisClientOptions = {},
  ): RedisRateLimitStore {
    const connection = createRateLimitRedisClient(url, options);
    new RedisOutageLog(new Logger(RedisRateLimitStore.name), 'rate limiter').watch(connection);
    return new RedisRateLimitStore(connection, { keyPrefix: options.keyPrefix, ownsConnection: true });
  }

  /**
   * Resolves true once the connection is ready, false after `timeoutMs`. Until then decisions fail
   * (closed), because commands are not queued while disconnected.
   */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.connection.status === 'ready') {
      return true;
    }
    const connection = this.connection;
    return new Promise<boolean>((resolve) => {
      const finish = (ready: boolean): void => {
        clearTimeout(timer);
        connection.off('ready', onReady);
        resolve(ready);
      };
      const onReady = (): void => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      connection.on('ready', onReady);
    });
  }

  /**
   * The hash tag puts a window and its block marker in one Redis Cluster slot, which a script
   * touching both needs; different users still spread over the cluster.
   */
  windowKey(key: string): string {
    return `${this.keyPrefix}:{${key}}`;
  }

  blockKey(key: string): string {
    return `${this.windowKey(key)}:blocked`;
  }

  async consume(key: string, limit: number, windowMs: number): Promise<ConsumeResult> {
    const entryId = `${this.instanceId}:${(++this.sequence).toString(36)}`;
    const windowKey = this.windowKey(key);
    let reply: unknown;
    // The hot path, so without the closure that `guard` costs.
    try {
      reply = await CONSUME_SCRIPT.run(this.connection, [windowKey, `${windowKey}:blocked`], [limit, windowMs, entryId]);
    } catch (error) {
      throw new RateLimitStoreUnavailableException({ cause: error });
    }
    return decodeDecision(reply, entryId);
  }

  async release(key: string, entryId: string): Promise<void> {
    await this.guard(() => this.connection.zrem(this.windowKey(key), entryId));
  }

  async blockUntil(key: string, untilEpochMs: number): Promise<void> {
    await this.guard(() => BLOCK_SCRIPT.run(this.connection, [this.blockKey(key)], [Math.ceil(untilEpochMs)]));
  }

  async close(): Promise<void> {
    if (!this.ownsConnection) {
      return;
    }
    await closeConnection(this.connection);
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new RateLimitStoreUnavailableException({ cause: error });
    }
  }
}

/** QUIT when connected; when Redis is away QUIT cannot be sent, so just stop reconnecting. */
export async function closeConnection(connection: RedisConnection): Promise<void> {
  if (connection.status === 'end') {
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
