import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './app-config';

/**
 * Provides the AppConfig built once at boot (by main.ts, the CLI or a test).
 * Global on purpose: configuration is ambient (almost every provider reads it, and it is a plain
 * value fixed before Nest starts), so importing it everywhere would add noise and no information.
 * Only ConfigModule, LoggingModule and ClockModule are global; every other module is imported by
 * the modules that use it.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
