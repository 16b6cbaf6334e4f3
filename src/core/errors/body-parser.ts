// JSON body parsing with a 1 MB limit, registered by hand so that malformed JSON (400) and
// oversized bodies (413) get the same `{ statusCode, code, message }` body as every other error;
// Nest's own body parser would leave them to Express's HTML error page. The raw bytes are kept
// for signature checks (Stripe webhooks).
import { json, NextFunction, Request, Response, urlencoded } from 'express';
import { RequestWithUser } from '../auth/authenticated-user';
import { ErrorBody } from './error-body';

export const MAX_BODY_BYTES = 1024 * 1024;

const keepRawBody = (req: Request, _res: Response, buffer: Buffer) => {
  (req as RequestWithUser).rawBody = buffer;
};

export const jsonBodyParser = json({ limit: MAX_BODY_BYTES, verify: keepRawBody });
export const formBodyParser = urlencoded({ limit: MAX_BODY_BYTES, extended: false });

interface BodyParserError {
  status?: number;
  type?: string;
}

export function bodyParserErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  const { status, type } = (error ?? {}) as BodyParserError;
  if (typeof status !== 'number' || typeof type !== 'string') return next(error);
  const body: ErrorBody =
    type === 'entity.too.large'
      ? { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: `Request body must not exceed ${MAX_BODY_BYTES} bytes` }
      : type === 'entity.parse.failed'
        ? { statusCode: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' }
        : { statusCode: status, code: 'BAD_REQUEST', message: 'Request body could not be read' };
  res.status(body.statusCode).json(body);
}
