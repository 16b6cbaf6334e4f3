import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { AppLogger } from './core/logging/app-logger';

/**
 * The application without HTTP, for one-shot CLI commands: it never executes queued runs (that is
 * the servers' and workers' job).
 */
export async function createAppContext(config: AppConfig, logger: AppLogger): Promise<INestApplicationContext> {
  const cliConfig: AppConfig = { ...config, jobs: { ...config.jobs, runWorker: false } };
  return NestFactory.createApplicationContext(AppModule.forRoot(cliConfig, logger), { logger, abortOnError: false });
}
