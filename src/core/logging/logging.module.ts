import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { RequestLoggingMiddleware } from './request-logging.middleware';

/** AppLogger itself is provided by the root module (it is created before Nest, in main.ts). */
@Global()
@Module({})
export class LoggingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLoggingMiddleware).forRoutes('/');
  }
}
