// Times every HTTP request for the metrics, labelled with the route pattern that matched
// (`/api/runs/:id`, never the raw URL, which would carry ids) and the final status code, including
// requests refused by guards or filters.
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService, UNMATCHED_ROUTE } from '../metrics.service';

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const startedAt = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      this.metrics.observeHttpRequest(request.method, routePattern(request), response.statusCode, seconds);
    });
    next();
  }
}

/**
 * Catch-all paths that middleware is mounted on as routes (MikroORM's request context uses
 * `/{*all}`): a request whose last matched route is one of these reached no controller.
 */
const CATCH_ALL_ROUTE = /^\/?(\{\*\w*\}|\*\w*|\(\.\*\))$/;

/** The pattern Express matched (set on the request once a route handles it). */
export function routePattern(request: Request): string {
  const route: unknown = request.route;
  const path = typeof route === 'object' && route !== null ? (route as { path?: unknown }).path : undefined;
  if (typeof path !== 'string' || CATCH_ALL_ROUTE.test(path)) return UNMATCHED_ROUTE;
  return `${request.baseUrl ?? ''}${path}`;
}
