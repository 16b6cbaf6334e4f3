// Tokens that passed every check, so a client's repeated calls skip decoding and the signature
// check (about a tenth of an authenticated request's CPU).
import { LRUCache } from 'lru-cache';
import { AuthenticatedUser } from './authenticated-user';

/**
 * How long a verified token is remembered (never past its `exp`). Bounds how long a token signed
 * by a key just removed from the JWKS keeps working.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export class VerifiedTokenCache {
  /** By the token's full text (signature included), until min(TTL, exp). */
  private readonly verified = new LRUCache<string, AuthenticatedUser>({ max: VERIFIED_TOKEN_CACHE_SIZE });

  get(token: string): AuthenticatedUser | undefined {
    return this.verified.get(token);
  }

  /** `exp` in seconds, as in the token; Date.now() because jsonwebtoken checks `exp` against it. */
  remember(token: string, user: AuthenticatedUser, exp: unknown): void {
    const untilExpiryMs = typeof exp === 'number' ? exp * 1000 - Date.now() : VERIFIED_TOKEN_TTL_MS;
    const ttl = Math.floor(Math.min(VERIFIED_TOKEN_TTL_MS, untilExpiryMs));
    if (ttl > 0) this.verified.set(token, Object.freeze({ ...user }), { ttl });
  }
}
