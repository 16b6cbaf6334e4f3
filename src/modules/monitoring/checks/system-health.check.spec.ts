import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { copyThresholds } from '../monitoring.thresholds';
import { QueueDepth, QueueDepthProbe } from '../queue-depth.probe';
import { InMemoryMonitoringRepository, StoredRun } from '../testing/in-memory-monitoring.repository';
import { AlertKind } from './alert-condition';
import { SystemHealthCheck } from './system-health.check';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;

class FakeQueue extends QueueDepthProbe {
  constructor(public current: QueueDepth | Error = { waiting: 0, delayed: 0, active: 0 }) {
    super();
  }
  async depth(): Promise<QueueDepth> {
    if (this.current instanceof Error) throw this.current;
    return this.current;
  }
}

function fakeRedis(answer: () => Promise<string>): Redis {
  return { ping: answer } as unknown as Redis;
}

function finishedRuns(state: StoredRun['state'], count: number, minutesAgo: number): StoredRun[] {
  const finishedAt = new Date(NOW.getTime() - minutesAgo * MINUTE);
  return Array.from({ length: count }, () => ({ flow: 'analysis', state, startedAt: new Date(finishedAt.getTime() - 1000), finishedAt }));
}

describe(SystemHealthCheck.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('should evaluate database and failed runs only, when there is no Redis and no queue', async () => {
    const sut = new SystemHealthCheck(new InMemoryMonitoringRepository(), copyThresholds());
    const outcome = await sut.run(NOW);
    expect(outcome.evaluated.sort()).toEqual([AlertKind.DATABASE_UNAVAILABLE, AlertKind.FAILED_RUNS_RATIO].sort());
    expect(outcome.conditions).toEqual([]);
  });

  it('should raise a critical database alert when the database does not answer, and leave the runs ratio unevaluated', async () => {
    const repository = new InMemoryMonitoringRepository();
    repository.databaseDown = true;
    const outcome = await new SystemHealthCheck(repository, copyThresholds()).run(NOW);
    expect(outcome.conditions).toEqual([expect.objectContaining({ kind: AlertKind.DATABASE_UNAVAILABLE, severity: 'critical', subject: 'database' })]);
    expect(outcome.evaluated).toEqual([AlertKind.DATABASE_UNAVAILABLE]);
  });

  it('should raise a Redis alert when Redis does not answer, and none when it does', async () => {
    const repository = new InMemoryMonitoringRepository();
    const down = new SystemHealthCheck(repository, copyThresholds(), fakeRedis(() => Promise.reject(new Error('ECONNREFUSED'))));
    expect((await down.run(NOW)).conditions).toEqual([expect.objectContaining({ kind: AlertKind.REDIS_UNAVAILABLE, subject: 'redis' })]);
    const up = new SystemHealthCheck(repository, copyThresholds(), fakeRedis(() => Promise.resolve('PONG')));
    const outcome = await up.run(NOW);
    expect(outcome.conditions).toEqual([]);
    expect(outcome.evaluated).toContain(AlertKind.REDIS_UNAVAILABLE);
  });

  it('should alert when more than half of the last hour’s finished runs failed, not at exactly half', async () => {
    const repository = new InMemoryMonitoringRepository();
    const sut = new SystemHealthCheck(repository, copyThresholds());
    repository.runs.push(...finishedRuns('COMPLETED', 5, 10), ...finishedRuns('FAILED', 5, 10));
    expect((await sut.run(NOW)).conditions).toEqual([]);

    repository.runs.push(...finishedRuns('FAILED', 1, 1));
    expect((await sut.run(NOW)).conditions).toEqual([
      expect.objectContaining({ kind: AlertKind.FAILED_RUNS_RATIO, subject: 'runs', message: '6 of 11 runs failed in the last 1 h (55%, threshold 50%)' }),
    ]);
  });

  it('should ignore runs that finished more than an hour ago and wait for enough finished runs', async () => {
    const repository = new InMemoryMonitoringRepository();
    const sut = new SystemHealthCheck(repository, copyThresholds());
    repository.runs.push(...finishedRuns('FAILED', 20, 61), ...finishedRuns('FAILED', 4, 5));
    expect((await sut.run(NOW)).conditions).toEqual([]);
    repository.runs.push(...finishedRuns('FAILED', 1, 5));
    expect((await sut.run(NOW)).conditions).toHaveLength(1);
  });

  it('should alert on a queue backlog above 1000 waiting or delayed jobs, not at 1000', async () => {
    const queue = new FakeQueue({ waiting: 600, delayed: 400, active: 50 });
    const sut = new SystemHealthCheck(new InMemoryMonitoringRepository(), copyThresholds(), null, queue);
    expect((await sut.run(NOW)).conditions).toEqual([]);
    queue.current = { waiting: 601, delayed: 400, active: 0 };
    expect((await sut.run(NOW)).conditions).toEqual([
      expect.objectContaining({ kind: AlertKind.QUEUE_BACKLOG, subject: 'queue', observed: 1001 }),
    ]);
  });

  it('should leave the queue unevaluated when the queue cannot be read', async () => {
    const queue = new FakeQueue(new Error('queue unreachable'));
    const outcome = await new SystemHealthCheck(new InMemoryMonitoringRepository(), copyThresholds(), null, queue).run(NOW);
    expect(outcome.evaluated).not.toContain(AlertKind.QUEUE_BACKLOG);
    expect(outcome.conditions).toEqual([]);
  });
});
