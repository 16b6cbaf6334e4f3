// System health as alerts: the database and Redis answer, runs mostly succeed, and the run queue
// is not piling up. Each part is evaluated on its own, so one failing probe does not resolve (or
// raise) the alerts of another.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../../../core/redis/redis.module';
import { MonitoringRepository } from '../monitoring.repository';
import { MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds } from '../monitoring.thresholds';
import { QUEUE_DEPTH_PROBE, QueueDepthProbe } from '../queue-depth.probe';
import { withTimeout } from '../../../core/util/with-timeout';
import { AlertCondition, AlertKind, CheckOutcome, formatWindow, MonitoringCheck } from './alert-condition';

export const PROBE_TIMEOUT_MS = 2_000;

@Injectable()
export class SystemHealthCheck implements MonitoringCheck {
  readonly name = 'system_health';
  readonly kinds: readonly AlertKind[];
  private readonly logger = new Logger('Monitoring');

  constructor(
    private readonly repository: MonitoringRepository,
    @Inject(MONITORING_THRESHOLDS_TOKEN) private readonly thresholds: MonitoringThresholds,
    @Optional() @Inject(REDIS_CLIENT) private readonly redis: Redis | null = null,
    @Optional() @Inject(QUEUE_DEPTH_PROBE) private readonly queue: QueueDepthProbe | null = null,
  ) {
    this.kinds = [
      AlertKind.DATABASE_UNAVAILABLE,
      AlertKind.FAILED_RUNS_RATIO,
      ...(redis ? [AlertKind.REDIS_UNAVAILABLE] : []),
      ...(queue ? [AlertKind.QUEUE_BACKLOG] : []),
    ];
  }

  async run(now: Date): Promise<CheckOutcome> {
    const parts = await Promise.all([
      this.part('database', () => this.checkDatabase()),
      this.part('failed runs', () => this.checkFailedRuns(now)),
      this.redis ? this.part('redis', () => this.checkRedis(this.redis as Redis)) : null,
      this.queue ? this.part('queue', () => this.checkQueue(this.queue as QueueDepthProbe)) : null,
    ]);
    const outcome: CheckOutcome = { evaluated: [], conditions: [] };
    for (const part of parts) {
      if (!part) continue;
      outcome.evaluated.push(...part.evaluated);
      outcome.conditions.push(...part.conditions);
    }
    return outcome;
  }

  private async checkDatabase(): Promise<CheckOutcome> {
    const evaluated = [AlertKind.DATABASE_UNAVAILABLE];
    try {
      await this.repository.pingDatabase(PROBE_TIMEOUT_MS);
      return { evaluated, conditions: [] };
    } catch {
      return {
        evaluated,
        conditions: [{ kind: AlertKind.DATABASE_UNAVAILABLE, severity: 'critical', subject: 'database', message: 'The database does not answer', observed: 1 }],
      };
    }
  }

  private async checkRedis(redis: Redis): Promise<CheckOutcome> {
    const evaluated = [AlertKind.REDIS_UNAVAILABLE];
    try {
      await withTimeout(redis.ping(), PROBE_TIMEOUT_MS);
      return { evaluated, conditions: [] };
    } catch {
      return {
        evaluated,
        conditions: [{ kind: AlertKind.REDIS_UNAVAILABLE, severity: 'critical', subject: 'redis', message: 'Redis does not answer', observed: 1 }],
      };
    }
  }

  private async checkFailedRuns(now: Date): Promise<CheckOutcome> {
    const { max, windowMs, minFinishedRuns } = this.thresholds.failedRunsRatio;
    const { completed, failed } = await this.repository.countFinishedRuns(new Date(now.getTime() - windowMs), now);
    const finished = completed + failed;
    const ratio = finished === 0 ? 0 : failed / finished;
    const conditions: AlertCondition[] =
      finished >= minFinishedRuns && ratio > max
        ? [
            {
              kind: AlertKind.FAILED_RUNS_RATIO,
              severity: 'warning',
              subject: 'runs',
              message: `${failed} of ${finished} runs failed in the last ${formatWindow(windowMs)} (${Math.round(ratio * 100)}%, threshold ${Math.round(max * 100)}%)`,
              observed: ratio,
            },
          ]
        : [];
    return { evaluated: [AlertKind.FAILED_RUNS_RATIO], conditions };
  }

  private async checkQueue(queue: QueueDepthProbe): Promise<CheckOutcome> {
    const { max } = this.thresholds.queueBacklog;
    const { waiting, delayed } = await withTimeout(queue.depth(), PROBE_TIMEOUT_MS);
    const backlog = waiting + delayed;
    const conditions: AlertCondition[] =
      backlog > max
        ? [
            {
              kind: AlertKind.QUEUE_BACKLOG,
              severity: 'warning',
              subject: 'queue',
              message: `${backlog} runs waiting or delayed in the run queue (threshold ${max})`,
              observed: backlog,
            },
          ]
        : [];
    return { evaluated: [AlertKind.QUEUE_BACKLOG], conditions };
  }

  /** A part that cannot be evaluated reports nothing, so its open alerts stay as they are. */
  private async part(name: string, evaluate: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
    try {
      return await evaluate();
    } catch (error) {
      this.logger.warn({ msg: 'a system health probe could not be evaluated', probe: name, err: error });
      return { evaluated: [], conditions: [] };
    }
  }
}
