// Verifies bearer tokens: HS256 with JWT_SECRET, or RS256/ES256 with keys from JWT_JWKS_URL.
// The algorithm decides which key is used and nothing else is accepted, so `alg: none` and
// algorithm-confusion tokens (an HS256 token signed with the public key) are refused.
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JwksClient } from 'jwks-rsa';
import { LRUCache } from 'lru-cache';
import { createSecretKey, KeyObject } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UnauthenticatedException } from './auth.exception';
import { AuthenticatedUser } from './authenticated-user';

const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'] as const;
/**
 * How long a verified token is remembered (never past its `exp`): a client's repeated calls then
 * skip decoding and the signature check. Bounds how long a token signed by a key just removed
 * from the JWKS keeps working.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
/** `sub` becomes a primary key and a log field: keep it to a sane, printable shape. */
const SUBJECT_PATTERN = /^[A-Za-z0-9_.:@|+-]{1,128}$/;

interface TokenClaims {
  sub?: unknown;
  role?: unknown;
  exp?: unknown;
}

@Injectable()
export class JwtVerifier {
  private readonly jwks: JwksClient | undefined;
  /**
   * The HS256 secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails)
   * to parse it as a public key on every verify, which cost about a tenth of a request's CPU.
   */
  private readonly hmacKey: KeyObject | undefined;
  /** Tokens that passed every check, by their full text (signature included), until min(TTL, exp). */
  private readonly verified = new LRUCache<string, AuthenticatedUser>({ max: VERIFIED_TOKEN_CACHE_SIZE });

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.jwks = config.jwt.jwksUrl
      ? new JwksClient({ jwksUri: config.jwt.jwksUrl, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true })
      : undefined;
    this.hmacKey = config.jwt.secret ? createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) : undefined;
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const remembered = this.verified.get(token);
    if (remembered) return remembered;
    const header = this.readHeader(token);
    const { issuer, audience } = this.config.jwt;
    let claims: TokenClaims;
    try {
      if (header.alg === 'HS256' && this.hmacKey) {
        claims = await this.jwt.verifyAsync<TokenClaims>(token, {
          // @nestjs/jwt types the secret as string | Buffer; jsonwebtoken takes a KeyObject as well.
          secret: this.hmacKey as unknown as Buffer,
          algorithms: ['HS256'],
          issuer,
          audience,
        });
      } else if (isAsymmetric(header.alg) && this.jwks) {
        const signingKey = await this.jwks.getSigningKey(header.kid);
        claims = await this.jwt.verifyAsync<TokenClaims>(token, {
          publicKey: signingKey.getPublicKey(),
          algorithms: [header.alg],
          issuer,
          audience,
        });
      } else {
        throw new UnauthenticatedException('Token algorithm is not accepted');
      }
    } catch (error) {
      if (error instanceof UnauthenticatedException) throw error;
      // jsonwebtoken's messages ("jwt expired", "invalid signature", "jwt audience invalid") are
      // safe and useful; they never contain the token.
      const reason = error instanceof Error ? error.message : 'invalid token';
      throw new UnauthenticatedException(`Invalid token: ${reason}`);
    }
    if (typeof claims.sub !== 'string' || !SUBJECT_PATTERN.test(claims.sub)) {
      throw new UnauthenticatedException('Invalid token: sub must be a string of 1-128 safe characters');
    }
    const user: AuthenticatedUser = { id: claims.sub, isAdmin: claims.role === 'admin' };
    this.remember(token, user, claims.exp);
    return user;
  }

  private remember(token: string, user: AuthenticatedUser, exp: unknown): void {
    const untilExpiryMs = typeof exp === 'number' ? exp * 1000 - Date.now() : VERIFIED_TOKEN_TTL_MS;
    const ttl = Math.floor(Math.min(VERIFIED_TOKEN_TTL_MS, untilExpiryMs));
    if (ttl > 0) this.verified.set(token, Object.freeze(user), { ttl });
  }

  private readHeader(token: string): { alg?: string; kid?: string } {
    const decoded = this.jwt.decode<{ header?: { alg?: string; kid?: string } } | null>(token, { complete: true });
    if (!decoded?.header) throw new UnauthenticatedException('Invalid token: malformed');
    return decoded.header;
  }
}

function isAsymmetric(alg: string | undefined): alg is (typeof ASYMMETRIC_ALGORITHMS)[number] {
  return (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg ?? '');
}
