import type { Request } from 'express';

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
export function extractBearerToken(request: Pick<Request, 'headers'>): string | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
  return match ? match[1] : null;
}
