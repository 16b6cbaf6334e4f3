import { DiscoveryService } from '@nestjs/core';
import type { JobKey } from './job-payloads';
import type { JobHandler } from './run-context';

/** The metadata `@OnRun` puts on a method; `JobHandlerDiscovery` looks for it. */
export const OnRunMetadata = DiscoveryService.createDecorator<JobKey>();

/**
 * Declares the method as the handler of the runs of `name` (immich's `@OnJob({ name })`):
 *
 *   @OnRun(JobName.ExportBuild)
 *   async buildExport(context: RunContext<JobName.ExportBuild>): Promise<JobResult> { ... }
 *
 * The method must take the context of that job name, so its payload is typed by `JobPayloads`.
 * `JobHandlerDiscovery` finds it on any singleton provider at bootstrap, before workers start;
 * two handlers for one name fail the boot.
 */
export function OnRun<N extends JobKey>(name: N) {
  const decorate = OnRunMetadata(name);
  return <M extends JobHandler<N>>(target: object, method: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    decorate(target, method, descriptor);
  };
}
