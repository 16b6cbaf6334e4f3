// Wires the outbound limiter to Redis (server mode) or memory (embedded mode), and offers the
// Redis storage for the inbound throttler. `Clock` comes from the app's global providers.
import { DynamicModule, Logger, Module, ModuleMetadata, OnApplicationShutdown, Type } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { NoopRateLimitRejectionRecorder, RateLimitRejectionRecorder } from './rate-limit-rejection.recorder';
import { RateLimitStore } from './rate-limit.store';
import { DEFAULT_RATE_LIMIT_POLICIES, RateLimitPolicies, validateRateLimitPolicies } from '../../core/rate-limit/rate-limit.types';
import { RATE_LIMIT_POLICIES, RateLimiterService } from './rate-limiter.service';
import { RedisRateLimitStore } from './redis-rate-limit.store';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * A `RedisThrottlerStorage` sharing the limiter's connection in server mode, null in embedded mode
 * (where the throttler keeps its built-in memory storage): `storage: storage ?? undefined`.
 */
export const INBOUND_THROTTLER_STORAGE = 'INBOUND_THROTTLER_STORAGE';

const BOOT_CONNECT_WAIT_MS = 3000;

export interface RateLimitModuleOptions {
  /** Set in server mode: limits are shared through Redis. Unset: kept in memory, one instance only. */
  redisUrl?: string;
  policies?: RateLimitPolicies;
  /** Prefix of the Redis keys. Default `rl` (inbound throttler: `throttle`). */
  keyPrefix?: string;
  commandTimeoutMs?: number;
  /** Replaces the no-op recorder; `imports` must make its dependencies available. */
  rejectionRecorder?: Type<RateLimitRejectionRecorder>;
  imports?: ModuleMetadata['imports'];
}

@Module({})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(private readonly store: RateLimitStore) {}

  static forRoot(options: RateLimitModuleOptions = {}): DynamicModule {
    const policies = validateRateLimitPolicies(options.policies ?? DEFAULT_RATE_LIMIT_POLICIES);
    return {
      module: RateLimitModule,
      // Registered once by the app and used by every module that calls a provider.
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: RATE_LIMIT_POLICIES, useValue: policies },
        {
          provide: RateLimitStore,
          inject: [Clock],
          useFactory: async (clock: Clock): Promise<RateLimitStore> => {
            const logger = new Logger(RateLimitModule.name);
            if (options.redisUrl !== undefined) {
              const store = RedisRateLimitStore.connect(options.redisUrl, {
                keyPrefix: options.keyPrefix,
                commandTimeoutMs: options.commandTimeoutMs,
              });
              // Boot goes on without Redis (health reports it); provider calls fail closed meanwhile.
              if (!(await store.waitUntilReady(BOOT_CONNECT_WAIT_MS))) {
                logger.warn('Rate-limit Redis is not reachable yet; outbound calls are refused until it is');
              }
              return store;
            }
            logger.warn(
              'Rate limits are kept in memory: correct for a single instance only (set REDIS_URL to share them)',
            );
            return new MemoryRateLimitStore(clock);
          },
        },
        {
          provide: INBOUND_THROTTLER_STORAGE,
          inject: [RateLimitStore],
          useFactory: (store: RateLimitStore): RedisThrottlerStorage | null =>
            store instanceof RedisRateLimitStore ? new RedisThrottlerStorage(store.connection) : null,
        },
        { provide: RateLimitRejectionRecorder, useClass: options.rejectionRecorder ?? NoopRateLimitRejectionRecorder },
        RateLimiterService,
      ],
      exports: [RateLimiterService, RateLimitStore, INBOUND_THROTTLER_STORAGE, RATE_LIMIT_POLICIES],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
