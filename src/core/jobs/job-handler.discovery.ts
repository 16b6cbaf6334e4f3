import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { findDecoratedMethods } from './decorated-methods';
import { JobHandlerRegistry } from './job-handler.registry';
import { OnRunMetadata } from './on-run.decorator';
import type { JobHandler } from './run-context';

/**
 * Fills the handler registry with every `@OnRun` method of the app's providers. Runs in
 * `onModuleInit`, when every provider exists; workers start after, in `onApplicationBootstrap`.
 */
@Injectable()
export class JobHandlerDiscovery implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: JobHandlerRegistry,
  ) {}

  onModuleInit(): void {
    for (const { metadata: jobName, origin, call } of findDecoratedMethods(this.discovery, this.scanner, OnRunMetadata)) {
      // `@OnRun(name)` only accepts a method that takes `RunContext<name>` and returns a job result.
      this.registry.register(jobName, call as JobHandler, origin);
    }
  }
}
