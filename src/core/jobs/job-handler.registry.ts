import { Injectable } from '@nestjs/common';
import type { JobKey } from './job-payloads';
import type { JobHandler } from './run-context';

interface Registered {
  handler: JobHandler;
  origin: string;
}

/**
 * Which function executes each job name. Filled at bootstrap by `JobHandlerDiscovery` (`@OnRun`)
 * and `ScheduledJobsService` (`@OnScheduledRun`), before workers start.
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<string, Registered>();

  /**
   * @param origin who declared it (`Class.method`), named when a second handler for the name turns up.
   * @throws Error when `name` already has a handler: a run must not depend on which one came first.
   */
  register<N extends JobKey>(name: N, handler: JobHandler<N>, origin = 'a handler registered at runtime'): void {
    const existing = this.handlers.get(name);
    if (existing) {
      throw new Error(`Job "${name}" has two handlers, ${existing.origin} and ${origin}; a job name takes exactly one`);
    }
    // Sound: `get` hands a handler only runs of its own job name.
    this.handlers.set(name, { handler: handler as unknown as JobHandler, origin });
  }

  get(name: string): JobHandler | undefined {
    return this.handlers.get(name)?.handler;
  }
}
