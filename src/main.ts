import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from './core/config/app-config';
import { ConfigValidationError } from './core/config/config.errors';
import { describeEnvironment, loadConfig } from './core/config/load-config';
import { createApp } from './create-app';
import { AppLogger } from './core/logging/app-logger';
import { createAppLogger } from './core/logging/create-app-logger';
import { logProcessErrors } from './core/logging/process-error-handlers';

/** Once it exists, a failed start is reported through it (redacted), not raw on stderr. */
let bootLogger: AppLogger | undefined;

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createAppLogger(config.nodeEnv);
  bootLogger = logger;
  logProcessErrors(logger);
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
  // Printed verbatim (the redactor would make both `[URL]`): the public base URL comes from the
  // operator's configuration (PUBLIC_BASE_URL, or HOST and PORT), not from any person or request.
  const apiUrl = withoutCredentials(config.publicBaseUrl);
  logger.recordConfigured('info', 'Bootstrap', 'listening on {apiUrl} (API docs at {docsUrl})', {
    apiUrl,
    docsUrl: `${apiUrl}/docs`,
  });
}

/** A base URL with `user:password@` would put a credential on the start line: drop it. */
function withoutCredentials(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (!url.username && !url.password) return baseUrl;
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

bootstrap().catch((error: unknown) => {
  if (bootLogger) {
    bootLogger.record('fatal', 'Bootstrap', 'failed to start', { err: error });
    bootLogger.flush();
    process.exit(1);
  }
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
