// How many runs wait in the run queue: an optional input of the checks, the metrics and health.
// Server mode reads the BullMQ queue's counts (by its configured name, without touching the run
// engine's own objects); embedded mode has no shared queue to read, so no probe is provided.
import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { isRedisConnectionError } from '../../core/redis/redis-outage-log';

export interface QueueDepth {
  /** Ready to run (waiting or prioritized). */
  waiting: number;
  /** Scheduled for later (backoff, rate-limit delays). */
  delayed: number;
  active: number;
}

export abstract class QueueDepthProbe {
  abstract depth(): Promise<QueueDepth>;
}

/** Injection token: a `QueueDepthProbe`, or null when no queue is available. */
export const QUEUE_DEPTH_PROBE = Symbol('QUEUE_DEPTH_PROBE');

export class BullMqQueueDepthProbe extends QueueDepthProbe {
  private readonly queue: Queue;

  constructor(connection: Redis, queueName: string, prefix = 'bull') {
    super();
    // A shared connection: BullMQ leaves it open on close(), the app's Redis module owns it.
    this.queue = new Queue(queueName, { connection, prefix });
    // Without a listener BullMQ prints the shared connection's errors to stderr; the connection
    // itself already reports its outages (see createRedisClient).
    const logger = new Logger('QueueDepthProbe');
    this.queue.on('error', (error) => {
      if (!isRedisConnectionError(error)) logger.warn({ msg: 'run queue depth probe: Redis error', err: error });
    });
  }

  async depth(): Promise<QueueDepth> {
    const counts = await this.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active');
    return {
      waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
    };
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
