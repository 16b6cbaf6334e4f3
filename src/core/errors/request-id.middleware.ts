import { NextFunction, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { RequestWithUser } from '../auth/authenticated-user';

const SAFE_REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Gives every request a correlation id (the caller's X-Request-Id when it is well-formed). */
export function requestIdMiddleware(req: RequestWithUser, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-request-id'];
  req.requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
}
