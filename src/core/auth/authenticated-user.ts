import type { Request } from 'express';

export interface AuthenticatedUser {
  /** The JWT `sub`, which is also `users.id`. */
  id: string;
  isAdmin: boolean;
}

export interface RequestWithUser extends Request {
  user?: AuthenticatedUser;
  /** Correlation id of the request, echoed in `X-Request-Id` and in error bodies. */
  requestId?: string;
  /** The unparsed body, kept for signature checks (Stripe webhooks). */
  rawBody?: Buffer;
}
