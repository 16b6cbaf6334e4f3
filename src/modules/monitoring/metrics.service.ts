// The Prometheus metrics of this instance, in a Registry of its own: HTTP request durations,
// outbound rate-limit decisions, runs by flow and state with their durations (read from
// workflow_runs at scrape time, so every instance reports the same shared numbers), open alerts,
// the run queue's depth (when a queue is available), redacted entities by type, and the process.
import { AuditService } from '../../core/audit/audit.service';
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RateLimiterService } from '../rate-limit/rate-limiter.service';
import { RedactionService } from '../redaction/redaction.service';
import { ALERT_SEVERITIES } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { HistogramSeries, ScrapedHistogram } from './metrics/scraped-histogram';
import { MonitoringRepository } from './monitoring.repository';
import { QUEUE_DEPTH_PROBE, QueueDepthProbe } from './queue-depth.probe';

export const METRIC_PREFIX = 'repazoo_';
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
/** The route label of requests no route matched (404s), so unknown URLs cannot blow up the label set. */
export const UNMATCHED_ROUTE = '<unmatched>';

@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly rateLimitDecisions: Counter<'provider' | 'result' | 'reason'>;

  constructor(
    private readonly rateLimiter: RateLimiterService,
    private readonly redaction: RedactionService,
    private readonly alerts: AlertsService,
    private readonly repository: MonitoringRepository,
    private readonly audit: AuditService,
    @Optional() @Inject(QUEUE_DEPTH_PROBE) private readonly queue: QueueDepthProbe | null = null,
  ) {
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    });
    this.rateLimitDecisions = new Counter({
      name: `${METRIC_PREFIX}rate_limit_decisions_total`,
      help: 'Outbound rate-limit decisions by provider and result (reason: why a call was refused, "none" when allowed)',
      labelNames: ['provider', 'result', 'reason'],
      registers,
    });
    this.registerRunMetrics();
    this.registerAlertMetrics();
    this.registerAuditHeadMetric();
    this.registerRedactionMetrics();
    if (this.queue) this.registerQueueMetrics(this.queue);
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  onModuleInit(): void {
    this.rateLimiter.observeDecisions(({ provider, allowed, reason }) => {
      this.rateLimitDecisions.inc({ provider, result: allowed ? 'allowed' : 'rejected', reason: reason ?? 'none' });
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private registerRunMetrics(): void {
    const repository = this.repository;
    const logger = this.logger;
    new Gauge({
      name: `${METRIC_PREFIX}workflow_runs`,
      help: 'Stored runs by flow and state (workflow_runs, read at scrape time)',
      labelNames: ['flow', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { flow, state, count } of await repository.countRunsByFlowAndState()) this.set({ flow, state }, count);
        } catch (error) {
          logger.warn({ msg: 'could not read run counts for the metrics', err: error });
        }
      },
    });
    const histogram = new ScrapedHistogram(
      `${METRIC_PREFIX}workflow_run_duration_seconds`,
      'Duration (started to finished) of stored runs by flow and end state (workflow_runs, read at scrape time)',
      RUN_DURATION_BUCKETS,
      async (): Promise<HistogramSeries[]> => {
        try {
          return (await repository.runDurations(RUN_DURATION_BUCKETS)).map(({ flow, state, count, sumSeconds, cumulative }) => ({
            labels: { flow, state },
            count,
            sum: sumSeconds,
            cumulative,
          }));
        } catch (error) {
          logger.warn({ msg: 'could not read run durations for the metrics', err: error });
          return [];
        }
      },
    );
    this.registry.registerMetric(histogram.asMetric());
  }

  /** The audit log's recorded head (the newest sealed batch): its id, labelled with its chained hash. */
  private registerAuditHeadMetric(): void {
    const audit = this.audit;
    const logger = this.logger;
    new Gauge({
      name: `${METRIC_PREFIX}audit_chain_head`,
      help: 'Id of the newest sealed audit batch recorded outside the database, labelled with its chained hash (rewritten batches disagree with it)',
      labelNames: ['hash'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          const head = await audit.recordedChainHead();
          if (head) this.set({ hash: head.hash }, Number(head.id));
        } catch (error) {
          logger.warn({ msg: 'could not read the recorded audit chain head for the metrics', err: error });
        }
      },
    });
  }

  private registerAlertMetrics(): void {
    const alerts = this.alerts;
    const logger = this.logger;
    new Gauge({
      name: `${METRIC_PREFIX}alerts_open`,
      help: 'Open monitoring alerts by severity',
      labelNames: ['severity'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          const counts = await alerts.countOpenBySeverity();
          for (const severity of ALERT_SEVERITIES) this.set({ severity }, counts[severity]);
        } catch (error) {
          logger.warn({ msg: 'could not count open alerts for the metrics', err: error });
        }
      },
    });
  }

  private registerRedactionMetrics(): void {
    const redaction = this.redaction;
    new Counter({
      name: `${METRIC_PREFIX}redacted_entities_total`,
      help: 'PII entities redacted by this instance since it started (logs, tweets, summaries, prompts), by entity type and profile',
      labelNames: ['entity_type', 'profile'],
      registers: [this.registry],
      collect() {
        // The redaction API keeps the running totals; mirror them (a counter only ever moves up with them).
        this.reset();
        for (const { type, profile, count } of redaction.counts()) this.inc({ entity_type: type, profile }, count);
      },
    });
  }

  private registerQueueMetrics(queue: QueueDepthProbe): void {
    const logger = this.logger;
    new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Jobs in the run queue by state (waiting, delayed, active)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          const depth = await queue.depth();
          this.set({ state: 'waiting' }, depth.waiting);
          this.set({ state: 'delayed' }, depth.delayed);
          this.set({ state: 'active' }, depth.active);
        } catch (error) {
          logger.warn({ msg: 'could not read the run queue depth for the metrics', err: error });
        }
      },
    });
  }
}
