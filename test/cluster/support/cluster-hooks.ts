// Preloaded (`node -r`) into each app and worker process of the cluster test, before the real
// entry point (src/main.ts or src/worker.ts) runs unchanged. It keeps the Nest application the
// entry point creates and answers the test over the IPC channel of `child_process.spawn`:
//
// - `schedule-ticks { at }`: sets every cron job of this process to fire once at the instant
//   `at`, so the real cron timers of all processes tick together (the cron expressions fire at
//   most every 5 minutes, and an admin's `POST /api/admin/jobs/:name/run` is a manual run, not a
//   tick); `last-ticks` answers when each job last fired here.
// - `acquire-x { userId, attempts }`: that many concurrent `RateLimiterService.acquire('x', ...)`
//   calls. No route consumes the X limit directly: it is taken once per X request inside an
//   ingestion run, and one person has at most one ingestion under way, so 1,000 concurrent
//   attempts can only be made from inside the processes.
// - `active-runs`: the runs this process is executing (to find the worker that holds a run).
//
// Nothing here exists in the processes a deployment starts: the hook is only loaded by the test.
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronTime } from 'cron';
import { RateLimitExceededException } from '../../../src/core/rate-limit/rate-limit.exception';
import { RunExecutor } from '../../../src/core/jobs/run-executor';
import { RateLimiterService } from '../../../src/modules/rate-limit/rate-limiter.service';

export type ClusterRequest =
  | { op: 'schedule-ticks'; at: number }
  | { op: 'last-ticks' }
  | { op: 'acquire-x'; userId: string; attempts: number }
  | { op: 'active-runs' };

export interface ClusterMessage {
  id: number;
  request: ClusterRequest;
}

export interface ClusterReply {
  id: number;
  result?: unknown;
  error?: string;
}

let application: INestApplicationContext | undefined;

// Both entry points build their application through NestFactory: keep what it returns.
type Factory = (...args: unknown[]) => Promise<INestApplicationContext>;
const factory = NestFactory as unknown as Record<'create' | 'createApplicationContext', Factory>;
for (const method of ['create', 'createApplicationContext'] as const) {
  const original = factory[method].bind(NestFactory);
  factory[method] = async (...args: unknown[]) => {
    const created = await original(...args);
    application = created;
    return created;
  };
}

async function handle(request: ClusterRequest): Promise<unknown> {
  if (!application) throw new Error('the application is not up yet');
  const app = application;
  switch (request.op) {
    case 'schedule-ticks': {
      const jobs = app.get(SchedulerRegistry, { strict: false }).getCronJobs();
      for (const job of jobs.values()) {
        // A CronTime of a date fires once, at that instant, through the job's own timer and callback.
        job.setTime(new CronTime(new Date(request.at)));
        job.start();
      }
      return [...jobs.keys()].sort();
    }
    case 'last-ticks': {
      const jobs = app.get(SchedulerRegistry, { strict: false }).getCronJobs();
      return Object.fromEntries([...jobs].map(([name, job]) => [name, job.lastDate()?.getTime() ?? null]));
    }
    case 'acquire-x': {
      const limiter = app.get(RateLimiterService, { strict: false });
      const outcomes = await Promise.all(
        Array.from({ length: request.attempts }, () =>
          limiter.acquire('x', request.userId).then(
            () => 'admitted',
            (error: unknown) => (error instanceof RateLimitExceededException ? 'refused' : `error: ${String(error)}`),
          ),
        ),
      );
      const counts: Record<string, number> = {};
      for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
      return counts;
    }
    case 'active-runs':
      return app.get(RunExecutor, { strict: false }).activeRunIds;
  }
}

process.on('message', (message: ClusterMessage) => {
  void handle(message.request).then(
    (result) => process.send?.({ id: message.id, result } satisfies ClusterReply),
    (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies ClusterReply),
  );
});
// The IPC channel must not keep the process alive once the application has shut down.
process.channel?.unref();
