import type { Request } from 'express';
import { UNMATCHED_ROUTE } from '../metrics.service';
import { routePattern } from './http-metrics.middleware';

const request = (route: unknown, baseUrl = ''): Request => ({ route, baseUrl }) as unknown as Request;

describe(routePattern.name, () => {
  it('should label a request with the pattern of the route that handled it, never its URL', () => {
    expect(routePattern(request({ path: '/api/runs/:id' }))).toBe('/api/runs/:id');
    expect(routePattern(request({ path: '/:id' }, '/api/runs'))).toBe('/api/runs/:id');
  });

  it('should label requests no controller route matched as unmatched', () => {
    expect(routePattern(request(undefined))).toBe(UNMATCHED_ROUTE);
    for (const catchAll of ['/{*all}', '{*path}', '*', '/*splat', '(.*)']) {
      expect(routePattern(request({ path: catchAll }))).toBe(UNMATCHED_ROUTE);
    }
  });
});
