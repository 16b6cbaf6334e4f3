import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigValidationError } from './core/config/config.errors';
import { describeEnvironment, loadConfig } from './core/config/load-config';
import { createApp } from './core/http/create-app';
import { AppLogger } from './core/logging/app-logger';

async function bootstrap(): Promise<void> {
  const logger = new AppLogger();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = new Logger('Bootstrap');
  const app = await createApp(config, logger);
  log.log({ msg: 'configuration', mode: config.mode, environment: describeEnvironment() });
  if (config.mode === 'embedded' || !config.redisUrl) {
    log.warn(
      'Running single-instance: ' +
        (config.mode === 'embedded' ? `embedded PostgreSQL (PGlite) in ${config.dataDir}; ` : '') +
        (config.redisUrl ? '' : 'in-memory rate limits, throttling, locks and jobs. ') +
        'Set DATABASE_URL and REDIS_URL to run several instances.',
    );
  }
  await app.listen(config.port, config.host);
  log.log(`listening on ${config.publicBaseUrl} (API docs at ${config.publicBaseUrl}/docs)`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
