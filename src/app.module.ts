import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { AuditModule } from './core/audit/audit.module';
import { AuthModule } from './core/auth/auth.module';
import { Clock } from './core/clock/clock';
import { ClockModule } from './core/clock/clock.module';
import { AppConfig } from './core/config/app-config';
import { ConfigModule } from './core/config/config.module';
import { RequestContextModule } from './core/context/request-context.module';
import { DatabaseModule } from './core/database/database.module';
import { HealthModule } from './core/health/health.module';
import { StopListeningOnShutdown } from './core/http/stop-listening-on-shutdown';
import { JobsModule } from './core/jobs/jobs.module';
import { SchedulingModule } from './core/scheduling/scheduling.module';
import { AppLogger } from './core/logging/app-logger';
import { LoggingModule } from './core/logging/logging.module';
import { ENTITIES } from './entities';
import { AnalysisModule } from './modules/analysis/analysis.module';
import { BillingModule } from './modules/billing/billing.module';
import { ConsentModule } from './modules/consent/consent.module';
import { MonitoringModule } from './modules/monitoring/monitoring.module';
import { OperatorConsoleModule } from './modules/operator-console/operator-console.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { INBOUND_THROTTLER_STORAGE, RateLimitModule } from './modules/rate-limit/rate-limit.module';
import { ExportModule } from './modules/export/export.module';
import { PrivacyPagesModule } from './modules/privacy/pages/privacy-pages.module';
import { PrivacyModule } from './modules/privacy/privacy.module';
import { DataRequestsModule } from './modules/requests/data-requests.module';
import { RetentionModule } from './modules/retention/retention.module';
import { SupportModule } from './modules/support/support.module';
import { TwitterModule } from './modules/twitter/twitter.module';

/** Replacements for parts that tests (and the CLI) need to control. */
export interface AppOverrides {
  clock?: Clock;
}

/**
 * Wires the app. ConfigModule, LoggingModule and ClockModule are global (ambient: see each); the
 * roots that a library makes global by design are configured here once (ScheduleModule's cron
 * registry, MikroORM's EntityManager through DatabaseModule, ThrottlerModule's options). Every
 * other module is imported by the modules that use it, so each module's `imports` show what it
 * depends on; this list only needs the modules that serve routes or run on their own.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: AppLogger, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        ClockModule.forRoot(overrides.clock),
        RequestContextModule,
        ScheduleModule.forRoot(),
        DatabaseModule.forRoot({ entities: ENTITIES }),
        AuthModule,
        AuditModule,
        JobsModule,
        SchedulingModule,
        ThrottlerModule.forRootAsync({
          // The inbound throttler shares the outbound limiter's Redis connection (server mode).
          imports: [RateLimitModule],
          inject: [INBOUND_THROTTLER_STORAGE],
          useFactory: (storage: ThrottlerStorage | null) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimits.inboundPerMinute }],
            storage: storage ?? undefined,
          }),
        }),
        HealthModule,
        MonitoringModule,
        SupportModule,
        RetentionModule,
        TwitterModule,
        AnalysisModule,
        ExportModule,
        PrivacyModule,
        DataRequestsModule,
        PrivacyPagesModule,
        ConsentModule,
        BillingModule,
        OperatorConsoleModule,
        NotificationsModule,
      ],
      providers: [StopListeningOnShutdown],
    };
  }
}
