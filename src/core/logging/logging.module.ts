import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RequestLoggingInterceptor } from './request-logging.interceptor';

/** AppLogger itself is provided by the root module (it is created before Nest, in main.ts). */
@Global()
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: RequestLoggingInterceptor }] })
export class LoggingModule {}
