// Records one line per HTTP request: method, path, status, duration, masked user id. The record
// goes through the logger's redaction like every other.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { Observable } from 'rxjs';
import { RequestWithUser } from '../auth/authenticated-user';
import { AppLogger } from './app-logger';
import { maskUserIdForLog } from './mask-user-id';

@Injectable()
export class RequestLoggingInterceptor implements NestInterceptor {
  constructor(private readonly logger: AppLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const response = context.switchToHttp().getResponse<Response>();
    const startedAt = process.hrtime.bigint();
    // 'finish' fires after the exception filter has set the final status.
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
    return next.handle();
  }
}
