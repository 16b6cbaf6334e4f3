// Counts database queries per user from the ORM's query events: MikroORM runs every statement
// through its knex client, whose `query` event fires in the caller's async context (the list
// reads of list-query.ts, which run on a pooled connection directly, fire it too), where
// `RequestUserContext` says whose request (or run) it is. Counts go to in-memory 5-minute
// buckets and are flushed to the shared `QueryCountStore` every few seconds and before each check.
import { EntityManager } from '@mikro-orm/postgresql';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { RequestUserContext } from '../../core/context/request-user-context';
import { MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds } from './monitoring.thresholds';
import { QueryCountStore, UserCounts } from './query-count.store';

/** How often pending counts are pushed to the shared store (the check may miss at most this much of another instance's counts). */
export const QUERY_COUNT_FLUSH_INTERVAL_MS = 5_000;

/** The part of knex the counter needs: its query event. */
export interface QueryEventSource {
  on(event: 'query', listener: () => void): unknown;
  removeListener(event: 'query', listener: () => void): unknown;
}

@Injectable()
export class DatabaseQueryCounter implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Monitoring');
  private pending = new Map<number, UserCounts>();
  private source: QueryEventSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly listener = (): void => this.recordQuery();

  constructor(
    private readonly em: EntityManager,
    private readonly userContext: RequestUserContext,
    private readonly clock: Clock,
    private readonly store: QueryCountStore,
    @Inject(MONITORING_THRESHOLDS_TOKEN) private readonly thresholds: MonitoringThresholds,
  ) {}

  onModuleInit(): void {
    this.attach(this.em.getConnection().getKnex());
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) => this.logger.warn({ msg: 'could not flush database query counts', err: error }));
    }, QUERY_COUNT_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.source?.removeListener('query', this.listener);
    this.source = undefined;
    await this.flush().catch((error: unknown) => this.logger.warn({ msg: 'could not flush database query counts', err: error }));
  }

  attach(source: QueryEventSource): void {
    this.source = source;
    source.on('query', this.listener);
  }

  /** The bucket (of the threshold's window length) that contains `atMs`. */
  bucketStart(atMs: number): number {
    const size = this.thresholds.databaseQueries.windowMs;
    return Math.floor(atMs / size) * size;
  }

  /** Counts one query for the current user; queries outside any user's request or run are not counted. */
  recordQuery(): void {
    const userId = this.userContext.userId;
    if (userId === null) return;
    const bucketStart = this.bucketStart(this.clock.nowMs());
    let bucket = this.pending.get(bucketStart);
    if (!bucket) {
      bucket = new Map();
      this.pending.set(bucketStart, bucket);
    }
    bucket.set(userId, (bucket.get(userId) ?? 0) + 1);
  }

  /** Pushes pending counts to the store; on failure they stay pending (old buckets are dropped). */
  flush(): Promise<void> {
    // One flush at a time, so a failed one cannot put counts back after a later one took them.
    const run = this.flushing.then(() => this.flushPending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Every instance's counts (as far as flushed) for the bucket starting at `bucketStartMs`, including this one's pending ones. */
  async countsFor(bucketStartMs: number): Promise<UserCounts> {
    await this.flush();
    return this.store.read(bucketStartMs);
  }

  private async flushPending(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const failed: [number, UserCounts][] = [];
    let firstError: unknown;
    for (const [bucketStart, counts] of batch) {
      try {
        await this.store.add(bucketStart, counts);
      } catch (error) {
        failed.push([bucketStart, counts]);
        firstError ??= error;
      }
    }
    if (failed.length === 0) return;
    const oldestKept = this.bucketStart(this.clock.nowMs()) - this.thresholds.databaseQueries.windowMs;
    for (const [bucketStart, counts] of failed) {
      if (bucketStart < oldestKept) continue;
      const bucket = this.pending.get(bucketStart) ?? new Map<string, number>();
      for (const [userId, count] of counts) bucket.set(userId, (bucket.get(userId) ?? 0) + count);
      this.pending.set(bucketStart, bucket);
    }
    throw firstError;
  }
}
