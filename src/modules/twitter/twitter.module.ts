import { CryptoModule } from '../../core/crypto/crypto.module';
import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { AuditModule } from '../../core/audit/audit.module';
import { JobsModule } from '../../core/jobs/jobs.module';
import { REDIS_CLIENT, RedisModule } from '../../core/redis/redis.module';
import { SchedulingModule } from '../../core/scheduling/scheduling.module';
import { ConsentModule } from '../consent/consent.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { X_CIRCUIT_BREAKER_DEFAULTS } from './circuit-breaker';
import { CircuitBreakerStore, MemoryCircuitBreakerStore, RedisCircuitBreakerStore } from './circuit-breaker.store';
import { TwitterDeletionScheduler } from './twitter-deletion.scheduler';
import { TwitterDeletionService } from './twitter-deletion.service';
import { TwitterIngestionService } from './twitter-ingestion.service';
import { TwitterController } from './twitter.controller';
import { TwitterRepository } from './twitter.repository';
import { TwitterService } from './twitter.service';
import { XApiClient } from './x-api.client';
import { X_CIRCUIT_BREAKER_OPTIONS, XCircuitBreaker } from './x-circuit-breaker';
import { PersonalDataModule } from '../../core/personal-data';
import { TWITTER_PERSONAL_DATA } from './twitter.personal-data';

/**
 * The person's X timeline: on-demand ingestion runs (`twitter.ingest`), the stored tweets, and X's
 * deletion duty (`twitter_deletion_check`, daily). Calls to X share one circuit breaker, kept in
 * Redis when there is one.
 */
@Module({
  imports: [PersonalDataModule.declare('twitter', TWITTER_PERSONAL_DATA), AuditModule, ConsentModule, CryptoModule, JobsModule, RateLimitModule, RedisModule, SchedulingModule],
  controllers: [TwitterController],
  providers: [
    TwitterService,
    TwitterRepository,
    TwitterIngestionService,
    TwitterDeletionService,
    TwitterDeletionScheduler,
    XApiClient,
    XCircuitBreaker,
    { provide: X_CIRCUIT_BREAKER_OPTIONS, useValue: X_CIRCUIT_BREAKER_DEFAULTS },
    {
      provide: CircuitBreakerStore,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null): CircuitBreakerStore => (redis ? new RedisCircuitBreakerStore(redis) : new MemoryCircuitBreakerStore()),
    },
  ],
  // TwitterService: the operator console starts a person's ingestion the way the person does.
  exports: [TwitterRepository, TwitterService],
})
export class TwitterModule {}
