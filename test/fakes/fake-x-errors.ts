// X's error bodies and the small encodings the fake X server's parts share.
import { HeaderMap } from './fake-http';

interface Problem {
  title: string;
  detail: string;
  type: string;
  status?: number;
}

/** An answer other than 200: thrown by any part of the fake X server, sent by its request handler. */
export class XHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: HeaderMap = {},
  ) {
    super(`X fake error ${status}`);
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** X's generic problem body (`application/problem+json`) for a status. */
export function problem(status: number): Problem & { status: number } {
  const title = STATUS_TITLES[status] ?? 'Error';
  return { title, detail: title, type: 'about:blank', status };
}

/** X's 400 for a query parameter it refuses, naming the parameter and the value. */
export function invalidRequest(message: string, parameter: string, value: string): XHttpError {
  return new XHttpError(400, {
    errors: [{ parameters: { [parameter]: [value] }, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

/** The OAuth endpoints' error body (RFC 6749 section 5.2). */
export function oauthError(status: number, error: string, description: string): XHttpError {
  return new XHttpError(status, { error, error_description: description });
}

export function base64Url(buffer: Buffer): string {
  return buffer.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** X's ids (users and tweets) are decimal strings of at most 19 digits. */
export function isNumericId(value: string): boolean {
  return /^\d{1,19}$/.test(value);
}
