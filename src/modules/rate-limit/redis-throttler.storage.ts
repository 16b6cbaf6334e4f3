// Server-mode storage for @nestjs/throttler (inbound HTTP limits), shared by every instance and
// decided in one round trip. It follows the semantics of the throttler's built-in memory storage,
// which embedded mode uses, so both modes answer the same way.
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitStoreUnavailableException } from '../../core/rate-limit/rate-limit.exception';
import { RedisConnection, RedisLuaScript, toIntegerTuple } from './redis-lua-script';

/**
 * KEYS[1] a hash { hits, blockUntil } living for one window (`ttl` ms from its first hit).
 * ARGV: ttl, limit, blockDuration (all ms).
 * With a block duration, each hit counts and the one that exceeds `limit` blocks the key for
 * `blockDuration`; hits while blocked are not counted, and the first hit after the block starts a
 * fresh window. Without one (0), hits beyond `limit` are refused and not counted.
 * Returns { totalHits, timeToExpireMs, isBlocked, timeToBlockExpireMs }.
 */
const INCREMENT_SCRIPT = new RedisLuaScript(
  `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local blockDuration = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local blockUntil = tonumber(redis.call('HGET', KEYS[1], 'blockUntil')) or 0
if blockUntil > now then
  local hits = tonumber(redis.call('HGET', KEYS[1], 'hits')) or 0
  return {hits, redis.call('PTTL', KEYS[1]), 1, blockUntil - now}
end
if blockUntil > 0 then
  redis.call('DEL', KEYS[1])
end

if blockDuration <= 0 then
  local hits = tonumber(redis.call('HGET', KEYS[1], 'hits')) or 0
  if hits >= limit then
    local pttl = redis.call('PTTL', KEYS[1])
    return {hits + 1, pttl, 1, pttl}
  end
end

local hits = redis.call('HINCRBY', KEYS[1], 'hits', 1)
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  pttl = ttl
end
if blockDuration > 0 and hits > limit then
  redis.call('HSET', KEYS[1], 'blockUntil', now + blockDuration)
  if pttl < blockDuration then
    redis.call('PEXPIRE', KEYS[1], blockDuration)
  end
  return {hits, pttl, 1, blockDuration}
end
return {hits, pttl, 0, 0}
`,
  1,
);

/** The package does not export this record type from its entry point. */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface RedisThrottlerStorageOptions {
  /** Default `throttle`. */
  keyPrefix?: string;
}

export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly keyPrefix: string;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisThrottlerStorageOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'throttle';
  }

  storageKey(key: string, throttlerName: string): string {
    return `${this.keyPrefix}:{${throttlerName}:${key}}`;
  }

  /**
   * `ttl` and `blockDuration` arrive in milliseconds; the guard wants the two times back in whole
   * seconds (they become the Retry-After and X-RateLimit-Reset headers).
   * A Redis outage refuses the request (503) rather than letting traffic through unthrottled.
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    let reply: unknown;
    try {
      reply = await INCREMENT_SCRIPT.run(
        this.connection,
        [this.storageKey(key, throttlerName)],
        [Math.ceil(ttl), limit, Math.ceil(blockDuration)],
      );
    } catch (error) {
      throw new RateLimitStoreUnavailableException({ cause: error });
    }
    const [totalHits, timeToExpireMs, isBlocked, timeToBlockExpireMs] = toIntegerTuple(reply, 4);
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil(timeToExpireMs / 1000)),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.max(0, Math.ceil(timeToBlockExpireMs / 1000)),
    };
  }
}
