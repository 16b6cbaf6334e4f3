// Tokens that passed every check of the 'jwt' strategy, so a client's repeated calls skip decoding
// and the signature check (about a tenth of an authenticated request's CPU), and, in the global
// guard, Passport's per-request machinery as well. Only the strategy puts tokens in (from its
// `validate`, after passport-jwt verified them); the guard and the strategy read.
import { Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AuthenticatedUser } from './authenticated-user';

/**
 * How long a verified token is remembered (never past its `exp`). Bounds how long a token signed
 * by a key just removed from the JWKS keeps working.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

interface Remembered {
  user: AuthenticatedUser;
  /** The token's `exp` in milliseconds since the epoch. */
  expiresAtMs: number;
}

@Injectable()
export class VerifiedTokenCache {
  /**
   * By the SHA-256 of the token's full text (signature included: a token with the same claims
   * and another signature is another key), so the cache holds no bearer token itself.
   */
  private readonly verified = new LRUCache<string, Remembered>({ max: VERIFIED_TOKEN_CACHE_SIZE, ttl: VERIFIED_TOKEN_TTL_MS });

  /**
   * The user of a token verified in the last VERIFIED_TOKEN_TTL_MS, if it has not expired since.
   * `exp` is checked here on every use, against Date.now() as jsonwebtoken does.
   */
  get(token: string): AuthenticatedUser | undefined {
    const key = keyOf(token);
    const remembered = this.verified.get(key);
    if (!remembered) return undefined;
    if (Date.now() >= remembered.expiresAtMs) {
      this.verified.delete(key);
      return undefined;
    }
    return remembered.user;
  }

  /** `exp` in seconds, as in the token (the strategy refuses a token without one before this). */
  remember(token: string, user: AuthenticatedUser, exp: number): void {
    const expiresAtMs = exp * 1000;
    if (!Number.isFinite(expiresAtMs) || expiresAtMs <= Date.now()) return;
    this.verified.set(keyOf(token), { user: Object.freeze({ ...user }), expiresAtMs });
  }
}

function keyOf(token: string): string {
  return hash('sha256', token, 'base64');
}
