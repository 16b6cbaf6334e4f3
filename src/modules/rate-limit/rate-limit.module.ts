// Wires the outbound limiter to Redis (server mode) or memory (embedded mode), and offers the
// Redis storage for the inbound throttler. `Clock` and `APP_CONFIG` come from the app's global modules.
import { DynamicModule, Injectable, Logger, Module, ModuleMetadata, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { ComplianceEventsModule } from '../monitoring/compliance-events.module';
import { PersistentRateLimitRejectionRecorder } from '../monitoring/persistent-rejection.recorder';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { NoopRateLimitRejectionRecorder, RateLimitRejectionRecorder } from './rate-limit-rejection.recorder';
import { RateLimitStore } from './rate-limit.store';
import { DEFAULT_RATE_LIMIT_POLICIES, RateLimitPolicies, validateRateLimitPolicies } from '../../core/rate-limit/rate-limit.types';
import { RATE_LIMIT_POLICIES, RateLimiterService } from './rate-limiter.service';
import { RedisRateLimitStore } from './redis-rate-limit.store';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { PersonalDataModule } from '../../core/personal-data';
import { RATE_LIMIT_PERSONAL_DATA } from './rate-limit.personal-data';

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
  /** Replaces the no-op recorder (`forRoot` only); `imports` must make its dependencies available. */
  rejectionRecorder?: Type<RateLimitRejectionRecorder>;
  imports?: ModuleMetadata['imports'];
}

const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

/** Closes the store's Redis connection (server mode) when the app shuts down. */
@Injectable()
class RateLimitStoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly store: RateLimitStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** One limiter, configured by the `RATE_LIMIT_OPTIONS` and `RateLimitRejectionRecorder` providers. */
const LIMITER_PROVIDERS: Provider[] = [
  {
    provide: RATE_LIMIT_POLICIES,
    inject: [RATE_LIMIT_OPTIONS],
    useFactory: (options: RateLimitModuleOptions) => validateRateLimitPolicies(options.policies ?? DEFAULT_RATE_LIMIT_POLICIES),
  },
  {
    provide: RateLimitStore,
    inject: [RATE_LIMIT_OPTIONS, Clock],
    useFactory: async (options: RateLimitModuleOptions, clock: Clock): Promise<RateLimitStore> => {
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
      logger.warn('Rate limits are kept in memory: correct for a single instance only (set REDIS_URL to share them)');
      return new MemoryRateLimitStore(clock);
    },
  },
  {
    provide: INBOUND_THROTTLER_STORAGE,
    inject: [RateLimitStore],
    useFactory: (store: RateLimitStore): RedisThrottlerStorage | null =>
      store instanceof RedisRateLimitStore ? new RedisThrottlerStorage(store.connection) : null,
  },
  RateLimiterService,
  RateLimitStoreLifecycle,
];

const LIMITER_EXPORTS = [RateLimiterService, RateLimitStore, INBOUND_THROTTLER_STORAGE, RATE_LIMIT_POLICIES];

/**
 * The app's outbound limiter, imported by every module that calls a provider (X, Anthropic) or
 * reads its decisions (metrics), and by the inbound throttler's setup for its Redis storage.
 * A static module, so Nest builds it once: one store (one Redis connection, or one in-memory
 * window log) for the whole process, whoever imports it. It needs no `forRoot` from the app: its
 * settings are the (global) AppConfig's REDIS_URL and outbound policies, and each rejection is
 * recorded as a compliance event for Monitoring.
 */
@Module({
  imports: [PersonalDataModule.declare('rate-limit', RATE_LIMIT_PERSONAL_DATA), ComplianceEventsModule],
  providers: [
    {
      provide: RATE_LIMIT_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RateLimitModuleOptions => ({ redisUrl: config.redisUrl, policies: config.rateLimits.outbound }),
    },
    { provide: RateLimitRejectionRecorder, useExisting: PersistentRateLimitRejectionRecorder },
    ...LIMITER_PROVIDERS,
  ],
  exports: LIMITER_EXPORTS,
})
export class RateLimitModule {
  /**
   * A separate limiter configured by hand, for code that runs without the app (unit tests,
   * benches). It is another module (another store), so the app never imports it.
   */
  static forRoot(options: RateLimitModuleOptions = {}): DynamicModule {
    const policies = validateRateLimitPolicies(options.policies ?? DEFAULT_RATE_LIMIT_POLICIES);
    return {
      module: StandaloneRateLimitModule,
      imports: options.imports ?? [],
      providers: [
        { provide: RATE_LIMIT_OPTIONS, useValue: { ...options, policies } },
        { provide: RateLimitRejectionRecorder, useClass: options.rejectionRecorder ?? NoopRateLimitRejectionRecorder },
        ...LIMITER_PROVIDERS,
      ],
      exports: LIMITER_EXPORTS,
    };
  }
}

@Module({})
class StandaloneRateLimitModule {}
