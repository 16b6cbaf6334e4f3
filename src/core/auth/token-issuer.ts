// Mints HS256 tokens with the configured secret: for the CLI (`token`), local development and tests.
import { sign } from 'jsonwebtoken';

export interface MintTokenOptions {
  userId: string;
  admin?: boolean;
  /** A jsonwebtoken duration such as `1h`, `15m`, `7d`. */
  ttl?: string;
  issuer?: string;
  audience?: string;
  /** OIDC `auth_time` (seconds since the epoch): when the person signed in, if not now. */
  authTime?: number;
}

export function mintToken(secret: string, { userId, admin, ttl = '1h', issuer, audience, authTime }: MintTokenOptions): string {
  const claims = { ...(admin ? { role: 'admin' } : {}), ...(authTime !== undefined ? { auth_time: authTime } : {}) };
  return sign(claims, secret, {
    algorithm: 'HS256',
    subject: userId,
    expiresIn: ttl as `${number}${'s' | 'm' | 'h' | 'd'}`,
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
  });
}
