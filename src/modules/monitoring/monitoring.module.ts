// Monitoring: the 5-minute compliance and health check with stored, deduplicated alerts routed to
// Slack, email and PagerDuty with delivery rows and retries, `GET /api/admin/alerts`, Prometheus metrics at `/metrics`, the per-user
// database query counter, and Monitoring's parts of `/api/health`. (Recording the events it
// counts lives in ComplianceEventsModule, which the rate limiter needs before this module loads.)
import { AuditModule } from '../../core/audit/audit.module';
import { BeforeApplicationShutdown, Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import type Redis from 'ioredis';
import { AuthModule } from '../../core/auth/auth.module';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { RequestContextModule } from '../../core/context/request-context.module';
import { HealthModule } from '../../core/health/health.module';
import { REDIS_CLIENT, RedisModule } from '../../core/redis/redis.module';
import { SchedulingModule } from '../../core/scheduling/scheduling.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RedactionModule } from '../redaction/redaction.module';
import { AlertDeliveriesRepository } from './alert-deliveries.repository';
import { ALERT_DELIVERY_POLICY, AlertDeliveryService, DEFAULT_ALERT_DELIVERY_POLICY } from './alert-delivery.service';
import { AlertDeliveryScheduler } from './alert-delivery.scheduler';
import { AlertRouter } from './alert-routing';
import { ALERT_CHANNELS, AlertChannel } from './channels/alert-channel';
import { EmailAlertChannel } from './channels/email.channel';
import { PagerDutyAlertChannel } from './channels/pagerduty.channel';
import { SlackAlertChannel } from './channels/slack.channel';
import { AlertChannelsCheck } from './checks/alert-channels.check';
import { AuditChainCheck } from './checks/audit-chain.check';
import { AlertsController } from './alerts.controller';
import { AlertsRepository, MikroOrmAlertsRepository } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { MONITORING_CHECKS, MonitoringCheck } from './checks/alert-condition';
import { ComplianceEventsCheck } from './checks/compliance-events.check';
import { DatabaseAccessCheck } from './checks/database-access.check';
import { SystemHealthCheck } from './checks/system-health.check';
import { DataRequestDeadlinesCheck } from './checks/data-request-deadlines.check';
import { DataRequestsModule } from '../requests/data-requests.module';
import { DatabaseQueryCounter } from './database-query-counter';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsAccessGuard } from './metrics/metrics-access.guard';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MonitoringHealthContributor } from './monitoring-health.contributor';
import { MonitoringRepository, SqlMonitoringRepository } from './monitoring.repository';
import { MonitoringScheduler } from './monitoring.scheduler';
import { MonitoringService } from './monitoring.service';
import { copyThresholds, MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds } from './monitoring.thresholds';
import { MemoryQueryCountStore, QueryCountStore, RedisQueryCountStore } from './query-count.store';
import { BullMqQueueDepthProbe, QUEUE_DEPTH_PROBE, QueueDepthProbe } from './queue-depth.probe';

@Module({
  imports: [
    // PassportModule's options, for MetricsAccessGuard (an AuthGuard('jwt') of its own).
    AuthModule,
    AuditModule,
    DataRequestsModule,
    HealthModule,
    RateLimitModule,
    RedactionModule,
    RedisModule,
    RequestContextModule,
    SchedulingModule,
  ],
  controllers: [AlertsController, MetricsController],
  providers: [
    { provide: MONITORING_THRESHOLDS_TOKEN, useFactory: () => copyThresholds() },
    { provide: MonitoringRepository, useClass: SqlMonitoringRepository },
    { provide: AlertsRepository, useClass: MikroOrmAlertsRepository },
    {
      // Redis when there is one, so the instance running the check sees every instance's counts.
      provide: QueryCountStore,
      inject: [REDIS_CLIENT, MONITORING_THRESHOLDS_TOKEN],
      useFactory: (redis: Redis | null, thresholds: MonitoringThresholds): QueryCountStore => {
        const keepMs = 3 * thresholds.databaseQueries.windowMs;
        return redis ? new RedisQueryCountStore(redis, keepMs) : new MemoryQueryCountStore(keepMs);
      },
    },
    {
      // The run engine uses BullMQ exactly when this holds (see resolveJobsOptions).
      provide: QUEUE_DEPTH_PROBE,
      inject: [APP_CONFIG, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: Redis | null): QueueDepthProbe | null =>
        config.mode === 'server' && config.redisUrl && redis ? new BullMqQueueDepthProbe(redis, config.jobs.queueName) : null,
    },
    DatabaseQueryCounter,
    ComplianceEventsCheck,
    DatabaseAccessCheck,
    SystemHealthCheck,
    DataRequestDeadlinesCheck,
    AlertChannelsCheck,
    AuditChainCheck,
    {
      provide: MONITORING_CHECKS,
      inject: [ComplianceEventsCheck, DatabaseAccessCheck, SystemHealthCheck, DataRequestDeadlinesCheck, AlertChannelsCheck, AuditChainCheck],
      useFactory: (...checks: MonitoringCheck[]): MonitoringCheck[] => checks,
    },
    AlertsService,
    SlackAlertChannel,
    EmailAlertChannel,
    PagerDutyAlertChannel,
    {
      provide: ALERT_CHANNELS,
      inject: [SlackAlertChannel, EmailAlertChannel, PagerDutyAlertChannel],
      useFactory: (...channels: AlertChannel[]): AlertChannel[] => channels,
    },
    { provide: ALERT_DELIVERY_POLICY, useValue: DEFAULT_ALERT_DELIVERY_POLICY },
    AlertRouter,
    AlertDeliveriesRepository,
    AlertDeliveryService,
    AlertDeliveryScheduler,
    MonitoringService,
    MonitoringScheduler,
    MetricsService,
    MetricsAccessGuard,
    MonitoringHealthContributor,
  ],
  exports: [MonitoringService, AlertsService, AlertDeliveryService, MetricsService, DatabaseQueryCounter],
})
export class MonitoringModule implements NestModule, BeforeApplicationShutdown {
  constructor(@Inject(QUEUE_DEPTH_PROBE) private readonly queue: QueueDepthProbe | null) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('/');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.queue instanceof BullMqQueueDepthProbe) await this.queue.close();
  }
}
