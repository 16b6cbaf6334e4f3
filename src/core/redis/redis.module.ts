import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisOutageLog } from './redis-outage-log';

/** The shared ioredis client in server mode, or `null` in embedded mode (no REDIS_URL). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export function createRedisClient(url: string, connectionName: string): Redis {
  const client = new Redis(url, {
    connectionName,
    // Fail fast instead of queueing commands forever while Redis is down: callers decide what a
    // failure means (the rate limiter fails closed, health reports "down").
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  new RedisOutageLog(new Logger('Redis'), connectionName).watch(client);
  return client;
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

/** Imported by each module that injects `REDIS_CLIENT`; one client per process (a static module). */
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redisUrl ? createRedisClient(config.redisUrl, 'repazoo-app') : null),
    },
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
