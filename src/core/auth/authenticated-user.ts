import type { Request } from 'express';

/** A user id (the JWT `sub`): it becomes a primary key and a log field, so a sane, printable shape. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@|+-]{1,128}$/;

export interface AuthenticatedUser {
  /** The JWT `sub`, which is also `users.id`. */
  id: string;
  isAdmin: boolean;
  /**
   * When the person last signed in: the token's OpenID Connect `auth_time`, or its `iat` when it
   * has none (a token minted at sign-in). Undefined when the token carries neither.
   */
  signedInAt?: Date;
}

export interface RequestWithUser extends Request {
  user?: AuthenticatedUser;
  /** Correlation id of the request, echoed in `X-Request-Id` and in error bodies. */
  requestId?: string;
  /** The unparsed body, kept for signature checks (Stripe webhooks). */
  rawBody?: Buffer;
}
