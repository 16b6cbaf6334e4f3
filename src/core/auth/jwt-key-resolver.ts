// Picks the key a token is verified with, from its header: HS256 with JWT_SECRET, RS256/ES256 with
// the JWKS key of its `kid`. The algorithm decides the kind of key and nothing unconfigured is
// accepted, so `alg: none` and algorithm confusion (an HS256 token "signed" with the public key,
// RS256 when only HS256 is configured) are refused before any signature is checked.
import { Inject, Injectable } from '@nestjs/common';
import { decode } from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UnauthenticatedException } from './auth.exception';
import { JwksAlgorithm, JwksKeyProvider } from './jwks-key-provider';

const JWKS_ALGORITHMS: readonly JwksAlgorithm[] = ['RS256', 'ES256'];

@Injectable()
export class JwtKeyResolver {
  /**
   * The HS256 secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails)
   * to parse it as a public key on every verify, which cost about a tenth of a request's CPU.
   */
  private readonly hmacKey: KeyObject | undefined;
  private readonly jwksConfigured: boolean;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly jwks: JwksKeyProvider,
  ) {
    this.hmacKey = config.jwt.secret ? createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) : undefined;
    this.jwksConfigured = config.jwt.jwksUrl !== undefined;
  }

  /** Every algorithm a token may use here: what the verification is pinned to. */
  get algorithms(): Array<'HS256' | JwksAlgorithm> {
    return [...(this.hmacKey ? (['HS256'] as const) : []), ...(this.jwksConfigured ? JWKS_ALGORITHMS : [])];
  }

  async keyFor(rawToken: string): Promise<KeyObject> {
    const header = readHeader(rawToken);
    if (header.alg === 'HS256' && this.hmacKey) return this.hmacKey;
    if (isJwksAlgorithm(header.alg) && this.jwksConfigured) return this.jwks.getKey(header.kid, header.alg);
    throw new UnauthenticatedException('Token algorithm is not accepted');
  }
}

function readHeader(token: string): { alg?: unknown; kid?: string } {
  const decoded = decode(token, { complete: true });
  if (!decoded?.header) throw new UnauthenticatedException('Invalid token: malformed');
  return decoded.header;
}

function isJwksAlgorithm(alg: unknown): alg is JwksAlgorithm {
  return (JWKS_ALGORITHMS as readonly unknown[]).includes(alg);
}
