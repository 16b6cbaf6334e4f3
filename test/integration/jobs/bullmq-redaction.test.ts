// BullMQ keeps a failed job's reason and stack in Redis for days. An infrastructure error that
// quotes personal data (as database errors quote the row) must be redacted before it gets there.
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BullMqRunQueue } from '../../../src/core/jobs/bullmq-run-queue';
import { TEST_REDIS_URL } from '../../utils/test-env';
import { waitUntil } from '../../utils/x-account';
import { deleteQueueKeys, uniqueQueueName } from './support/jobs-harness';

describe('BullMQ failed reasons', () => {
  const queueName = uniqueQueueName('redaction');
  const sut = new BullMqRunQueue({
    redisUrl: TEST_REDIS_URL,
    queueName,
    prefix: 'bull',
    concurrency: 1,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    maxStalledCount: 1,
  });
  const inspector = new Queue(queueName, { connection: { url: TEST_REDIS_URL }, prefix: 'bull' });

  afterAll(async () => {
    await sut.close({ graceMs: 0, onGraceExpired: () => undefined });
    await inspector.close();
    await deleteQueueKeys(queueName, TEST_REDIS_URL);
  });

  it('should store the redacted reason and stack of a processor error, never the personal data it quoted', async () => {
    const runId = randomUUID();
    await sut.startWorker(async () => {
      throw new Error('insert failed: Key (email)=(alice.smith@example.com) card 4111 1111 1111 1111 token=sk-ant-0123456789abcdefghij');
    });
    await sut.enqueue(runId);

    await waitUntil('the job failed once', async () => Boolean((await inspector.getJob(runId))?.failedReason));
    const job = (await inspector.getJob(runId))!;

    const stored = JSON.stringify({ reason: job.failedReason, stack: job.stacktrace });
    expect(job.failedReason).toBe('insert failed: Key (email)=([EMAIL]) card [CREDIT_CARD] token=[SECRET]');
    expect((job.stacktrace ?? []).join('\n')).toContain('[EMAIL]');
    for (const value of ['alice.smith@example.com', '4111 1111 1111 1111', 'sk-ant-0123456789abcdefghij']) expect(stored).not.toContain(value);
  });
});
