import { Injectable } from '@nestjs/common';
import type { JobName } from './job-payloads';
import type { JobHandler } from './run-context';

/** Which function executes each job name. Filled by modules in `onModuleInit`, before workers start. */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobName, JobHandler>();

  register<N extends JobName>(name: N, handler: JobHandler<N>): void {
    if (this.handlers.has(name)) throw new Error(`A handler for job "${name}" is already registered`);
    // Sound: `get` hands a handler only runs of its own job name.
    this.handlers.set(name, handler as unknown as JobHandler);
  }

  get(name: string): JobHandler | undefined {
    return this.handlers.get(name as JobName);
  }
}
