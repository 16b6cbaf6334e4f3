// The access log: one line (`msg: "request"`, info) per HTTP request: method, path, query
// parameter names, status, duration, masked user id. The record goes through the logger's
// redaction like every other.
//
// A middleware rather than an interceptor: interceptors run after the guards, so requests refused
// with 401, 403 or 429 (the ones worth seeing in a log), unmatched paths and bodies the parser
// refused would never be recorded. What the handler itself was given and how it ended is the
// second, debug-level line of `HandlerLoggingInterceptor`, for requests that reached a handler;
// the request id joins the two.
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
