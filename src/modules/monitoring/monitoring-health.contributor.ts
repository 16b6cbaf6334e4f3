// Adds Monitoring's parts to `GET /api/health`: when `retention_cleanup_daily` last succeeded
// (`lastSuccessAt`, null for never; it never turns health down by itself) and, when a run queue
// is available, its depth.
import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthContributors } from '../../core/health/health-contributors';
import { JobName } from '../../core/jobs/job-payloads';
import { MonitoringRepository } from './monitoring.repository';
import { QUEUE_DEPTH_PROBE, QueueDepthProbe } from './queue-depth.probe';
import { PROBE_TIMEOUT_MS } from './checks/system-health.check';
import { withTimeout } from '../../core/util/with-timeout';

/** The health entry is named after the job whose success it reports. */
export const RETENTION_HEALTH_KEY = JobName.RetentionCleanupDaily;
export const QUEUE_HEALTH_KEY = 'queue';

@Injectable()
export class MonitoringHealthContributor implements OnModuleInit {
  constructor(
    private readonly contributors: HealthContributors,
    private readonly repository: MonitoringRepository,
    @Optional() @Inject(QUEUE_DEPTH_PROBE) private readonly queue: QueueDepthProbe | null = null,
  ) {}

  onModuleInit(): void {
    this.contributors.register(() => this.retention());
    if (this.queue) this.contributors.register(() => this.queueDepth(this.queue as QueueDepthProbe));
  }

  async retention(): Promise<HealthIndicatorResult> {
    try {
      const lastSuccessAt = await withTimeout(this.repository.lastSuccessfulRetention(), PROBE_TIMEOUT_MS);
      return { [RETENTION_HEALTH_KEY]: { status: 'up', lastSuccessAt: lastSuccessAt?.toISOString() ?? null } };
    } catch {
      return { [RETENTION_HEALTH_KEY]: { status: 'down', message: 'The last retention run could not be read' } };
    }
  }

  async queueDepth(queue: QueueDepthProbe): Promise<HealthIndicatorResult> {
    try {
      return { [QUEUE_HEALTH_KEY]: { status: 'up', ...(await withTimeout(queue.depth(), PROBE_TIMEOUT_MS)) } };
    } catch {
      return { [QUEUE_HEALTH_KEY]: { status: 'down', message: 'The run queue is not reachable' } };
    }
  }
}
