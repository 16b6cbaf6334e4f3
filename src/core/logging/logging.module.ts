import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppLogger } from './app-logger';
import { HandlerLoggingInterceptor } from './handler-logging.interceptor';
import { RequestLoggingMiddleware } from './request-logging.middleware';

/**
 * Logging, in one module: the AppLogger created at boot (before Nest, so Nest's own messages go
 * through it too), made injectable for structured records; the access line of every request
 * (`RequestLoggingMiddleware`); and the handler-level line of every request a controller handled
 * (`HandlerLoggingInterceptor`, registered globally here).
 * Global on purpose, like the config and the clock: every module may log, and there is one logger
 * per process, created before Nest.
 */
@Global()
@Module({})
export class LoggingModule implements NestModule {
  static forRoot(logger: AppLogger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        { provide: AppLogger, useValue: logger },
        { provide: APP_INTERCEPTOR, useClass: HandlerLoggingInterceptor },
      ],
      exports: [AppLogger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLoggingMiddleware).forRoutes('/');
  }
}
