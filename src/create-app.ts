import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, AppOverrides } from './app.module';
import { AppConfig } from './core/config/app-config';
import { AppLogger } from './core/logging/app-logger';
import { configureApp } from './core/http/configure-app';

/** Builds the fully configured (not yet listening) HTTP app. */
export async function createApp(config: AppConfig, logger: AppLogger, overrides: AppOverrides = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, overrides), {
    logger,
    bodyParser: false,
    bufferLogs: false,
    // Throw instead of calling process.exit, so main.ts and the tests see the real error.
    abortOnError: false,
  });
  configureApp(app, config);
  return app;
}
