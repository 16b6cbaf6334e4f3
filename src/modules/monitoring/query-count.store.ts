// Where the per-instance database query counters are flushed, so the one instance that runs the
// check sees every instance's counts: Redis in server mode (one hash per 5-minute bucket, expiring
// on its own), process memory when there is no Redis (embedded mode: a single instance anyway).
import type Redis from 'ioredis';

/** Query counts of one bucket, by user id. */
export type UserCounts = Map<string, number>;

export abstract class QueryCountStore {
  /** Adds `counts` to the bucket that starts at `bucketStartMs`. */
  abstract add(bucketStartMs: number, counts: UserCounts): Promise<void>;
  abstract read(bucketStartMs: number): Promise<UserCounts>;
}

export class MemoryQueryCountStore extends QueryCountStore {
  private readonly buckets = new Map<number, UserCounts>();

  /** Buckets older than this are dropped on the next write. */
  constructor(private readonly keepMs: number) {
    super();
  }

  async add(bucketStartMs: number, counts: UserCounts): Promise<void> {
    for (const start of this.buckets.keys()) {
      if (start < bucketStartMs - this.keepMs) this.buckets.delete(start);
    }
    const bucket = this.buckets.get(bucketStartMs) ?? new Map<string, number>();
    for (const [userId, count] of counts) bucket.set(userId, (bucket.get(userId) ?? 0) + count);
    this.buckets.set(bucketStartMs, bucket);
  }

  async read(bucketStartMs: number): Promise<UserCounts> {
    return new Map(this.buckets.get(bucketStartMs) ?? []);
  }
}

export class RedisQueryCountStore extends QueryCountStore {
  constructor(
    private readonly redis: Redis,
    /** How long a bucket's hash lives after its last write. */
    private readonly keepMs: number,
    private readonly keyPrefix = 'monitoring:db-queries:',
  ) {
    super();
  }

  async add(bucketStartMs: number, counts: UserCounts): Promise<void> {
    if (counts.size === 0) return;
    const key = this.key(bucketStartMs);
    const pipeline = this.redis.multi();
    for (const [userId, count] of counts) pipeline.hincrby(key, userId, count);
    pipeline.pexpire(key, this.keepMs);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  async read(bucketStartMs: number): Promise<UserCounts> {
    const hash = await this.redis.hgetall(this.key(bucketStartMs));
    return new Map(Object.entries(hash).map(([userId, count]) => [userId, Number(count)]));
  }

  private key(bucketStartMs: number): string {
    return `${this.keyPrefix}${bucketStartMs}`;
  }
}
