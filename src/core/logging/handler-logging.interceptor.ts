// Records one handler-level line for every request a controller handled, beside the access line
// of `RequestLoggingMiddleware`:
//
// - the middleware's line (`msg: "request"`, info) is the access log: every request, refused and
//   unmatched ones included (401/403 from the guards, 404, 413 and 400 from the body parser, 429
//   from the throttler), with method, path, query parameter names, status, total duration and the
//   masked user id;
// - this interceptor's line (`msg: "handled"`, debug) exists only for requests that passed the
//   guards and reached a handler, and says what the handler was given and how it ended: the
//   handler (`Controller.method`), the route pattern, the route parameters (redacted by the
//   logger, like every field), the body's field names (never its values), the status, the
//   domain error code or error class when it threw, and the time spent in the handler.
//
// Both carry the request id, which joins them. Debug, because the access line already accounts for
// every request in production; development runs at debug and shows both.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';
import { RequestWithUser } from '../auth/authenticated-user';
import { DomainException } from '../errors/domain.exception';
import { AppLogger } from './app-logger';

/** A body with more top-level fields is logged with the first ones and the total count. */
export const MAX_LOGGED_BODY_FIELDS = 50;

@Injectable()
export class HandlerLoggingInterceptor implements NestInterceptor {
  constructor(private readonly logger: AppLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.logger.isLevelEnabled('debug')) return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const response = context.switchToHttp().getResponse<Response>();
    const startedAt = process.hrtime.bigint();
    const elapsedMs = () => Number(process.hrtime.bigint() - startedAt) / 1e6;
    let durationMs: number | undefined;
    let error: string | undefined;
    // The final status is known once the response is sent: Nest applies @HttpCode after the
    // handler's observable completes, and the exception filter maps errors after it fails.
    response.once('finish', () => {
      this.logger.record('debug', 'http', 'handled', {
        handler: `${context.getClass().name}.${context.getHandler().name}`,
        route: `${request.method} ${request.baseUrl}${(request.route as { path?: string } | undefined)?.path ?? ''}`,
        params: { ...request.params },
        ...bodyFieldsOf(request.body),
        statusCode: response.statusCode,
        error,
        durationMs: durationMs ?? elapsedMs(),
        requestId: request.requestId,
      });
    });
    return next.handle().pipe(
      tap({
        finalize: () => (durationMs = elapsedMs()),
        error: (thrown: unknown) => (error = errorCodeOf(thrown)),
      }),
    );
  }
}

/** The body's top-level field names; values never leave the request. */
export function bodyFieldsOf(body: unknown): { bodyFields?: string[]; bodyFieldCount?: number; bodyItems?: number } {
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return {};
  if (Array.isArray(body)) return { bodyItems: body.length };
  const names = Object.keys(body);
  return names.length > MAX_LOGGED_BODY_FIELDS
    ? { bodyFields: names.slice(0, MAX_LOGGED_BODY_FIELDS), bodyFieldCount: names.length }
    : { bodyFields: names };
}

function errorCodeOf(thrown: unknown): string {
  if (thrown instanceof DomainException) return thrown.code;
  return thrown instanceof Error ? thrown.name : typeof thrown;
}
