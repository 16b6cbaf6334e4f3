import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisModule } from '../redis/redis.module';
import { HealthContributors } from './health-contributors';
import { HealthController } from './health.controller';

/** `/api/health`; modules that add to it import this module for `HealthContributors`. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RedisModule],
  controllers: [HealthController],
  providers: [HealthContributors],
  exports: [HealthContributors],
})
export class HealthModule {}
