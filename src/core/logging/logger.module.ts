import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppLogger } from './app-logger';

/** Makes the AppLogger created at boot injectable (for structured records such as request logs). */
@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: AppLogger): DynamicModule {
    return { module: LoggerModule, providers: [{ provide: AppLogger, useValue: logger }], exports: [AppLogger] };
  }
}
