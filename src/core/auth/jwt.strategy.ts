// The one Passport strategy ('jwt'): passport-jwt checks the signature (with the key
// JwtKeyResolver picks), the pinned algorithms, `exp`, issuer and audience; `validate` turns the
// claims into the AuthenticatedUser. A token verified in the last minute is answered from memory
// (VerifiedTokenCache, which the global guard also reads before it runs Passport).
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UnauthenticatedException } from './auth.exception';
import { AuthenticatedUser, RequestWithUser, USER_ID_PATTERN } from './authenticated-user';
import { extractBearerToken } from './bearer-token';
import { JwtKeyResolver } from './jwt-key-resolver';
import { VerifiedTokenCache } from './verified-token-cache';

interface TokenClaims {
  sub?: unknown;
  role?: unknown;
  exp?: unknown;
  iat?: unknown;
  auth_time?: unknown;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    keys: JwtKeyResolver,
    private readonly verifiedTokens: VerifiedTokenCache,
  ) {
    super({
      jwtFromRequest: extractBearerToken,
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: (error: unknown, key?: Buffer) => void) => {
        // The types say string | Buffer; jsonwebtoken takes a KeyObject as well.
        keys.keyFor(rawToken).then((key) => done(null, key as unknown as Buffer), done);
      },
      algorithms: keys.algorithms,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      passReqToCallback: true,
    });
  }

  override authenticate(request: RequestWithUser, options?: unknown): void {
    const token = extractBearerToken(request);
    if (token === null) return this.fail(new UnauthenticatedException('A bearer token is required in the Authorization header'), 401);
    const remembered = this.verifiedTokens.get(token);
    if (remembered) return this.success(remembered);
    super.authenticate(request, options);
  }

  /** Called by passport-jwt with the verified claims. */
  validate(request: RequestWithUser, claims: TokenClaims): AuthenticatedUser {
    // jsonwebtoken checks `exp` and `nbf` only when present: a token without `exp` would never
    // expire, so one stolen would work forever. (A future `nbf` is refused by jsonwebtoken.)
    if (typeof claims.exp !== 'number') throw new UnauthenticatedException('Invalid token: exp is required');
    if (typeof claims.sub !== 'string' || !USER_ID_PATTERN.test(claims.sub)) {
      throw new UnauthenticatedException('Invalid token: sub must be a string of 1-128 safe characters');
    }
    const user: AuthenticatedUser = { id: claims.sub, isAdmin: claims.role === 'admin', signedInAt: signedInAt(claims) };
    const token = extractBearerToken(request);
    if (token !== null) this.verifiedTokens.remember(token, user, claims.exp);
    return user;
  }
}

/** OIDC's `auth_time` when the issuer sets it, else `iat` (seconds since the epoch). */
function signedInAt(claims: TokenClaims): Date | undefined {
  const seconds = typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;
}

/**
 * What a refused authentication answers. Passport hands over what the strategy failed with: our
 * UnauthenticatedException, or jsonwebtoken's error, whose messages ("jwt expired", "invalid
 * signature", "jwt audience invalid") are safe and useful and never contain the token.
 */
export function toUnauthenticated(failure: unknown): UnauthenticatedException {
  if (failure instanceof UnauthenticatedException) return failure;
  return new UnauthenticatedException(failure instanceof Error ? `Invalid token: ${failure.message}` : 'Invalid token');
}
