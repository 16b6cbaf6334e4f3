import type { Request } from 'express';

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
