import { EntityManager } from '@mikro-orm/postgresql';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { ClsService } from 'nestjs-cls';
import { ManualClock } from '../../../core/clock/clock';
import { RequestUserContext } from '../../../core/context/request-user-context';
import { maskUserId } from '../../../core/redaction/mask-user-id';
import { DatabaseQueryCounter } from '../database-query-counter';
import { copyThresholds } from '../monitoring.thresholds';
import { MemoryQueryCountStore, QueryCountStore, UserCounts } from '../query-count.store';
import { AlertKind } from './alert-condition';
import { DatabaseAccessCheck } from './database-access.check';

const BUCKET = 5 * 60_000;
/** The start of a 5-minute bucket. */
const BUCKET_START = new Date('2026-03-01T12:00:00.000Z');

function setup(store: QueryCountStore = new MemoryQueryCountStore(3 * BUCKET)) {
  const clock = new ManualClock(new Date(BUCKET_START.getTime() + 60_000));
  const userContext = new RequestUserContext(new ClsService(new AsyncLocalStorage()));
  const thresholds = copyThresholds();
  const counter = new DatabaseQueryCounter({} as EntityManager, userContext, clock, store, thresholds);
  // Stands in for the ORM's knex client: one `query` event per statement.
  const knex = new EventEmitter();
  counter.attach(knex);
  const queries = (userId: string | null, count: number) =>
    userContext.runAs(userId, () => {
      for (let i = 0; i < count; i++) knex.emit('query');
    });
  const sut = new DatabaseAccessCheck(counter, thresholds);
  return { sut, clock, queries, counter, knex };
}

describe(DatabaseAccessCheck.name, () => {
  it('should raise nothing for exactly 1000 queries of one user in a 5-minute bucket', async () => {
    const { sut, clock, queries } = setup();
    queries('heavy-user-0001', 1000);
    const outcome = await sut.run(clock.now());
    expect(outcome).toEqual({ evaluated: [AlertKind.DATABASE_ACCESS_ANOMALY], conditions: [] });
  });

  it('should raise a critical condition for 1001 queries, naming the user only masked', async () => {
    const { sut, clock, queries } = setup();
    queries('heavy-user-0001', 1001);
    const { conditions } = await sut.run(clock.now());
    expect(conditions).toEqual([
      {
        kind: AlertKind.DATABASE_ACCESS_ANOMALY,
        severity: 'critical',
        subject: maskUserId('heavy-user-0001'),
        message: '1001 database queries in one 5 min interval (threshold 1000)',
        observed: 1001,
      },
    ]);
  });

  it('should not add up queries from two different buckets', async () => {
    const { sut, clock, queries } = setup();
    queries('steady-user-0002', 600);
    clock.advance(BUCKET);
    queries('steady-user-0002', 600);
    expect((await sut.run(clock.now())).conditions).toEqual([]);
  });

  it('should still see the bucket that just ended, and forget older ones', async () => {
    const { sut, clock, queries } = setup();
    queries('burst-user-0003', 1001);
    clock.advance(BUCKET);
    expect((await sut.run(clock.now())).conditions).toHaveLength(1);
    clock.advance(BUCKET);
    expect((await sut.run(clock.now())).conditions).toEqual([]);
  });

  it('should not count queries made outside any user’s request or run', async () => {
    const { sut, clock, queries, knex } = setup();
    queries(null, 5000);
    for (let i = 0; i < 5000; i++) knex.emit('query');
    expect((await sut.run(clock.now())).conditions).toEqual([]);
  });

  it('should keep counts that could not be flushed and add them on the next flush', async () => {
    const memory = new MemoryQueryCountStore(3 * BUCKET);
    let down = true;
    const flaky: QueryCountStore = {
      add: (start: number, counts: UserCounts) => (down ? Promise.reject(new Error('redis down')) : memory.add(start, counts)),
      read: (start: number) => memory.read(start),
    } as QueryCountStore;
    const { sut, clock, queries, counter } = setup(flaky);
    queries('flaky-user-0004', 700);
    await expect(counter.flush()).rejects.toThrow('redis down');
    queries('flaky-user-0004', 301);
    down = false;
    expect((await sut.run(clock.now())).conditions).toEqual([expect.objectContaining({ observed: 1001 })]);
  });
});
