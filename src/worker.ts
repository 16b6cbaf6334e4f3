// `npm run worker`: a process that only executes runs (server mode: PostgreSQL + Redis/BullMQ).
// It boots the whole application context, so every module registers its job handlers, but serves
// no HTTP. Start as many as needed, on any number of machines; SIGTERM lets active runs finish
// (or hands them back) before it exits.
import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { ConfigValidationError } from './core/config/config.errors';
import { describeEnvironment, loadConfig } from './core/config/load-config';
import { AppLogger } from './core/logging/app-logger';
import { logProcessErrors } from './core/logging/process-error-handlers';

/** The application context of a worker process: RUN_WORKER is forced on. */
export async function createWorkerContext(config: AppConfig, logger: AppLogger): Promise<INestApplicationContext> {
  if (config.mode !== 'server' || !config.redisUrl) {
    throw new ConfigValidationError([
      'npm run worker needs DATABASE_URL and REDIS_URL (in embedded mode the app executes its runs itself)',
    ]);
  }
  const workerConfig: AppConfig = { ...config, jobs: { ...config.jobs, runWorker: true } };
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(workerConfig, logger), {
    logger,
    abortOnError: false,
  });
  // Exit 0 after a clean shutdown (process managers read a signal exit as a crash).
  context.enableShutdownHooks(undefined, { useProcessExit: true });
  return context;
}

async function main(): Promise<void> {
  const logger = new AppLogger();
  logProcessErrors(logger);
  let config: AppConfig;
  try {
    config = loadConfig();
    await createWorkerContext(config, logger);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  new Logger('Worker').log({ msg: 'worker started', queue: config.jobs.queueName, environment: describeEnvironment() });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`Worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
