import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT, RedisModule } from '../redis/redis.module';
import { InProcessLockService, LockService } from './lock.service';
import { RedisLockService } from './redis-lock.service';

/** `LockService`: Redis locks when Redis is configured (several instances), in-process otherwise. */
@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: LockService,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null): LockService => (redis ? new RedisLockService(redis) : new InProcessLockService()),
    },
  ],
  exports: [LockService],
})
export class LocksModule {}
