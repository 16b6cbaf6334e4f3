// Inbound throttling storage on the real Redis: counting and blocking as the throttler's own
// memory storage does, atomically, and shared by app instances behind the real ThrottlerGuard.
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import request from 'supertest';
import { RedisThrottlerStorage } from '../../../src/modules/rate-limit/redis-throttler.storage';
import { deleteKeysWithPrefix, SHARED_REDIS_URL, sleep, uniqueKeyPrefix } from './support/redis-test-helpers';

@Controller()
class PingController {
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

describe(RedisThrottlerStorage.name, () => {
  let connection: Redis;
  let keyPrefix: string;
  let sut: RedisThrottlerStorage;

  beforeAll(() => {
    connection = new Redis(SHARED_REDIS_URL);
  });

  afterAll(async () => {
    await connection.quit();
  });

  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix('throttle');
    sut = new RedisThrottlerStorage(connection, { keyPrefix });
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(connection, keyPrefix);
  });

  it('should count hits and report the window in seconds', async () => {
    const records = [];
    for (let index = 0; index < 3; index++) {
      records.push(await sut.increment('client-1', 2000, 3, 1000, 'default'));
    }

    expect(records).toEqual([
      { totalHits: 1, timeToExpire: 2, isBlocked: false, timeToBlockExpire: 0 },
      { totalHits: 2, timeToExpire: 2, isBlocked: false, timeToBlockExpire: 0 },
      { totalHits: 3, timeToExpire: 2, isBlocked: false, timeToBlockExpire: 0 },
    ]);
  });

  it('should block the hit that exceeds the limit for the block duration, without counting blocked hits', async () => {
    for (let index = 0; index < 2; index++) {
      await sut.increment('client-1', 60_000, 2, 1000, 'default');
    }

    const exceeding = await sut.increment('client-1', 60_000, 2, 1000, 'default');
    const whileBlocked = await sut.increment('client-1', 60_000, 2, 1000, 'default');
    // Past the 1 s block on purpose: the clock only moves forward, so oversleeping cannot fail it.
    await sleep(1100);
    const afterBlock = await sut.increment('client-1', 60_000, 2, 1000, 'default');

    expect(exceeding).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
    expect(whileBlocked).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
    expect(afterBlock).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('should refuse hits beyond the limit without counting them when there is no block duration', async () => {
    await sut.increment('client-1', 60_000, 1, 0, 'default');

    const refused = await sut.increment('client-1', 60_000, 1, 0, 'default');
    const refusedAgain = await sut.increment('client-1', 60_000, 1, 0, 'default');

    expect(refused).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(refusedAgain).toMatchObject({ totalHits: 2, isBlocked: true });
  });

  it('should start a new window when the old one expires', async () => {
    await sut.increment('client-1', 300, 5, 300, 'default');
    await sut.increment('client-1', 300, 5, 300, 'default');
    // Past the 300 ms window on purpose; oversleeping cannot fail it.
    await sleep(400);

    expect(await sut.increment('client-1', 300, 5, 300, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('should keep throttlers and keys apart', async () => {
    await sut.increment('client-1', 60_000, 1, 60_000, 'short');

    expect(await sut.increment('client-1', 60_000, 1, 60_000, 'long')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await sut.increment('client-2', 60_000, 1, 60_000, 'short')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('should let exactly the limit through under concurrency', async () => {
    const records = await Promise.all(
      Array.from({ length: 200 }, () => sut.increment('crowd', 60_000, 50, 60_000, 'default')),
    );

    expect(records.filter((record) => !record.isBlocked)).toHaveLength(50);
  });

  it('should give the key a TTL', async () => {
    await sut.increment('client-1', 5000, 3, 1000, 'default');

    const ttl = await connection.pttl(sut.storageKey('client-1', 'default'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('should throttle across two app instances behind the ThrottlerGuard', async () => {
    const apps: INestApplication[] = [];
    const connections: Redis[] = [];
    try {
      for (let index = 0; index < 2; index++) {
        const instanceConnection = new Redis(SHARED_REDIS_URL);
        connections.push(instanceConnection);
        const storage = new RedisThrottlerStorage(instanceConnection, { keyPrefix });
        @Module({
          imports: [ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 3 }], storage })],
          controllers: [PingController],
          providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
        })
        class InstanceModule {}
        const moduleRef = await Test.createTestingModule({ imports: [InstanceModule] }).compile();
        const app = moduleRef.createNestApplication({ logger: false });
        await app.init();
        apps.push(app);
      }

      const statuses: number[] = [];
      for (let index = 0; index < 5; index++) {
        const response = await request(apps[index % 2].getHttpServer()).get('/ping');
        statuses.push(response.status);
        if (response.status === 429) {
          expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        }
      }

      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      await Promise.all(connections.map((instanceConnection) => instanceConnection.quit()));
    }
  });
});
