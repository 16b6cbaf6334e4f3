import { Injectable, Logger, Module, Scope } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { JobHandlerDiscovery } from './job-handler.discovery';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobName } from './job-payloads';
import { OnRun } from './on-run.decorator';
import type { RunContext } from './run-context';

@Injectable()
class IngestionAndAnalysis {
  readonly seen: string[] = [];

  @OnRun(JobName.TwitterIngest)
  async ingest(context: RunContext<JobName.TwitterIngest>): Promise<{ ingested: string }> {
    this.seen.push(`ingest ${context.runId}`);
    return { ingested: context.payload.userId };
  }

  @OnRun(JobName.AnalysisSentiment)
  async analyse(context: RunContext<JobName.AnalysisSentiment>): Promise<{ analysed: string }> {
    this.seen.push(`analyse ${context.runId}`);
    return { analysed: context.payload.userId };
  }

  /** Not a handler: must not be registered. */
  async helper(): Promise<void> {}
}

@Injectable()
class SecondIngestion {
  @OnRun(JobName.TwitterIngest)
  async ingestAgain(): Promise<void> {}
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedExport {
  @OnRun(JobName.ExportBuild)
  async build(): Promise<void> {}
}

function contextFor<N extends JobName>(jobName: N, runId: string): RunContext<N> {
  return { runId, jobName, payload: { userId: `user-of-${runId}` } } as unknown as RunContext<N>;
}

async function boot(...providers: Array<new (...args: never[]) => object>) {
  @Module({ providers })
  class FeatureModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, FeatureModule],
    providers: [JobHandlerRegistry, JobHandlerDiscovery],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe(JobHandlerDiscovery.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('should register every @OnRun method of a provider, each calling its own method on the provider instance', async () => {
    const moduleRef = await boot(IngestionAndAnalysis);
    const sut = moduleRef.get(JobHandlerRegistry);
    const provider = moduleRef.get(IngestionAndAnalysis);

    await expect(sut.get(JobName.TwitterIngest)?.(contextFor(JobName.TwitterIngest, 'run-1'))).resolves.toEqual({ ingested: 'user-of-run-1' });
    await expect(sut.get(JobName.AnalysisSentiment)?.(contextFor(JobName.AnalysisSentiment, 'run-2'))).resolves.toEqual({ analysed: 'user-of-run-2' });
    expect(provider.seen).toEqual(['ingest run-1', 'analyse run-2']);
    expect(sut.get(JobName.ExportBuild)).toBeUndefined();
    await moduleRef.close();
  });

  it('should fail the boot, naming both methods, when two handlers declare the same job name', async () => {
    await expect(boot(IngestionAndAnalysis, SecondIngestion)).rejects.toThrow(
      'Job "twitter.ingest" has two handlers, IngestionAndAnalysis.ingest and SecondIngestion.ingestAgain; a job name takes exactly one',
    );
  });

  it('should fail the boot when a handler is on a request-scoped provider', async () => {
    await expect(boot(RequestScopedExport)).rejects.toThrow(
      'RequestScopedExport.build is a job handler on a request-scoped provider; handlers run outside requests and need a singleton',
    );
  });
});

describe(JobHandlerRegistry.name, () => {
  it('should refuse a second handler for a name already registered', () => {
    const sut = new JobHandlerRegistry();
    sut.register(JobName.ExportBuild, async () => ({ first: true }), 'First.build');

    expect(() => sut.register(JobName.ExportBuild, async () => ({ second: true }), 'Second.build')).toThrow(
      'Job "export.build" has two handlers, First.build and Second.build; a job name takes exactly one',
    );
  });
});
