// A separate worker process for the multi-process tests: boots the engine in server mode on the
// queue named by QUEUE_NAME with the test handlers, says "ready <pid>", and exits on SIGTERM.
import 'reflect-metadata';
import { startJobsHarness } from './jobs-harness';

async function main(): Promise<void> {
  const queueName = process.env.QUEUE_NAME;
  if (!queueName) throw new Error('QUEUE_NAME is required');
  const harness = await startJobsHarness({ mode: 'server', queueName, runWorker: true });
  process.stdout.write(`ready ${process.pid}\n`);
  process.once('SIGTERM', () => {
    harness.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
