import { Logger } from '@nestjs/common';
import { InProcessRunQueue } from './in-process-run-queue';
import type { RunStep } from './run-queue';

const done: RunStep = { kind: 'done' };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe(InProcessRunQueue.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should execute a queued run once, even when it is enqueued twice', async () => {
    const sut = new InProcessRunQueue(2);
    const executed: string[] = [];

    await sut.enqueue('a', 100);
    await sut.enqueue('a');
    await sut.startWorker(async (runId) => {
      executed.push(runId);
      return done;
    });
    await jest.runAllTimersAsync();

    expect(executed).toEqual(['a']);
    expect(await sut.isQueued('a')).toBe(false);
  });

  it('should wait for the delay before executing a run', async () => {
    const sut = new InProcessRunQueue(1);
    const executed: string[] = [];
    await sut.startWorker(async (runId) => {
      executed.push(runId);
      return done;
    });

    await sut.enqueue('later', 1000);
    await jest.advanceTimersByTimeAsync(999);
    expect(executed).toEqual([]);
    expect(await sut.isQueued('later')).toBe(true);
    await jest.advanceTimersByTimeAsync(1);

    expect(executed).toEqual(['later']);
  });

  it('should reschedule a run whose processor asks for a delay', async () => {
    const sut = new InProcessRunQueue(1);
    const times: number[] = [];
    await sut.startWorker(async () => {
      times.push(Date.now());
      return times.length === 1 ? { kind: 'delay', delayMs: 500 } : done;
    });

    await sut.enqueue('retry');
    await jest.runAllTimersAsync();

    expect(times).toHaveLength(2);
    expect(times[1] - times[0]).toBe(500);
  });

  it('should never execute more runs at once than its concurrency', async () => {
    const sut = new InProcessRunQueue(2);
    const gate = deferred();
    let running = 0;
    let peak = 0;
    await sut.startWorker(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await gate.promise;
      running -= 1;
      return done;
    });

    for (const id of ['a', 'b', 'c', 'd']) await sut.enqueue(id);
    await jest.advanceTimersByTimeAsync(0);
    expect(running).toBe(2);
    gate.resolve();
    await jest.runAllTimersAsync();

    expect(peak).toBe(2);
    expect(running).toBe(0);
  });

  it('should remove waiting and delayed runs, but not one that is executing', async () => {
    const sut = new InProcessRunQueue(1);
    const gate = deferred();
    const executed: string[] = [];
    await sut.startWorker(async (runId) => {
      executed.push(runId);
      if (runId === 'active') await gate.promise;
      return done;
    });

    await sut.enqueue('active');
    await sut.enqueue('waiting');
    await sut.enqueue('delayed', 10_000);
    await jest.advanceTimersByTimeAsync(0);

    expect(await sut.remove('active')).toBe(false);
    expect(await sut.remove('waiting')).toBe(true);
    expect(await sut.remove('delayed')).toBe(true);
    expect(await sut.remove('unknown')).toBe(false);
    gate.resolve();
    await jest.runAllTimersAsync();

    expect(executed).toEqual(['active']);
  });

  it('should retry a run later when its processor fails unexpectedly', async () => {
    const sut = new InProcessRunQueue(1);
    let calls = 0;
    await sut.startWorker(async () => {
      calls += 1;
      if (calls === 1) throw new Error('database unreachable');
      return done;
    });

    await sut.enqueue('flaky');
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(5000);

    expect(calls).toBe(2);
  });

  it('should let active runs finish on close, and abort them when the grace period is over', async () => {
    const sut = new InProcessRunQueue(1);
    const aborted = deferred();
    await sut.startWorker(async () => {
      await aborted.promise;
      return done;
    });
    await sut.enqueue('long');
    await sut.enqueue('never', 100);
    await jest.advanceTimersByTimeAsync(0);

    const onGraceExpired = jest.fn(() => aborted.resolve());
    const closing = sut.close({ graceMs: 1000, onGraceExpired });
    await jest.advanceTimersByTimeAsync(1000);
    await closing;

    expect(onGraceExpired).toHaveBeenCalledTimes(1);
    // Left to the next start's recovery, which finds the run PENDING in the database.
    await expect(sut.enqueue('late')).resolves.toBeUndefined();
    expect(await sut.isQueued('late')).toBe(false);
  });
});
