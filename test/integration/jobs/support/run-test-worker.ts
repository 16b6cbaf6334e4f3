// A separate worker process for the multi-process tests: boots the engine in server mode on the
// queue named by QUEUE_NAME with the test handlers, says "ready <pid>", and exits on SIGTERM.
// SHUTDOWN_GRACE=default keeps the production shutdown grace instead of the tests' short one.
import 'reflect-metadata';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../../../../src/core/jobs/jobs.options';
import { startJobsHarness } from './jobs-harness';

async function main(): Promise<void> {
  const queueName = process.env.QUEUE_NAME;
  if (!queueName) throw new Error('QUEUE_NAME is required');
  const overrides = process.env.SHUTDOWN_GRACE === 'default' ? { shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS } : {};
  const harness = await startJobsHarness({ mode: 'server', queueName, runWorker: true, overrides });
  process.stdout.write(`ready ${process.pid}\n`);
  process.once('SIGTERM', () => {
    // The queue is the test's: its runs (handed back, or stalled) are for the other workers.
    harness.close({ keepQueue: true }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
