// Records one line per HTTP request: method, path, status, duration, masked user id. The record
// goes through the logger's redaction like every other.
//
// A middleware rather than an interceptor: interceptors run after the guards, so requests refused
// with 401, 403 or 429 (the ones worth seeing in a log) and unmatched paths were never recorded.
// It is also one interceptor fewer in the chain Nest wraps around every handler (each one costs an
// AsyncResource.bind per call; nestjs-cls still registers a no-op one of its own).
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { RequestWithUser } from '../auth/authenticated-user';
import { AppLogger } from './app-logger';
import { maskUserIdForLog } from './mask-user-id';

@Injectable()
export class RequestLoggingMiddleware implements NestMiddleware {
  constructor(private readonly logger: AppLogger) {}

  use(request: RequestWithUser, response: Response, next: NextFunction): void {
    const startedAt = process.hrtime.bigint();
    // 'finish' fires after the exception filter has set the final status and the AuthGuard the user.
    response.once('finish', () => {
      this.logger.record('info', 'http', 'request', {
        method: request.method,
        // The path only: query strings carry OAuth codes, states and signed-link signatures that
        // no detector can recognise as secrets. Parameter names are enough to debug with.
        path: request.path,
        queryParams: Object.keys(request.query ?? {}),
        statusCode: response.statusCode,
        durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6,
        requestId: request.requestId,
        userId: request.user ? maskUserIdForLog(request.user.id) : undefined,
      });
    });
    next();
  }
}
