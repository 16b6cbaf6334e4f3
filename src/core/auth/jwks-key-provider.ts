// The identity provider's signing keys (JWT_JWKS_URL), held in memory and refreshed in the
// background. A token whose `kid` is not held may cause one refetch, shared by every request
// waiting for it, and at most one per UNKNOWN_KID_REFETCH_INTERVAL_MS; otherwise it is refused
// without a fetch. So made-up kids can neither turn requests into JWKS fetches nor use up the
// fetches a real key rotation needs: jwks-rsa's limiter (10 fetches a minute for the whole app)
// let 11 anonymous requests a minute keep every token signed with a new key at 401.
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { Clock } from '../clock/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UnauthenticatedException } from './auth.exception';

export type JwksAlgorithm = 'RS256' | 'ES256';

const BACKGROUND_REFRESH_MS = 10 * 60_000;
const UNKNOWN_KID_REFETCH_INTERVAL_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

interface HeldKey {
  key: KeyObject;
  /** The JWK's own `alg`, when it names one: the key is then used for that algorithm only. */
  alg: string | undefined;
}

@Injectable()
export class JwksKeyProvider implements OnModuleDestroy {
  private readonly logger = new Logger('JwksKeyProvider');
  private readonly url: string | undefined;
  private keys = new Map<string, HeldKey>();
  private lastFetchStartedAt: number | undefined;
  private inFlight: Promise<void> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.url = config.jwt.jwksUrl;
  }

  /** The public key for a token's `kid` and `alg`; UnauthenticatedException when none fits. */
  async getKey(kid: string | undefined, alg: JwksAlgorithm): Promise<KeyObject> {
    let held = this.find(kid);
    if (!held && this.inFlight) {
      await this.inFlight;
      held = this.find(kid);
    }
    if (!held && this.mayRefetch()) {
      await this.fetchKeys();
      held = this.find(kid);
    }
    if (!held) throw new UnauthenticatedException('Invalid token: unknown signing key');
    if (!fitsAlgorithm(held, alg)) throw new UnauthenticatedException('Invalid token: the signing key does not match the algorithm');
    return held.key;
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshTimer);
  }

  private find(kid: string | undefined): HeldKey | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // A token without `kid` can only mean the provider's one key (as jwks-rsa resolves it).
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  private mayRefetch(): boolean {
    return this.lastFetchStartedAt === undefined || this.clock.nowMs() - this.lastFetchStartedAt >= UNKNOWN_KID_REFETCH_INTERVAL_MS;
  }

  /**
   * One fetch at a time, shared by its callers. The first one also starts the background refresh:
   * processes that never see a JWKS token (workers, the CLI) never fetch.
   */
  private fetchKeys(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.lastFetchStartedAt = this.clock.nowMs();
    this.refreshTimer ??= setInterval(() => void this.fetchKeys(), BACKGROUND_REFRESH_MS).unref();
    this.inFlight = this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Replaces the held keys with the provider's; on any failure keeps them (and never throws). */
  private async load(): Promise<void> {
    if (!this.url) return;
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('answered no "keys" array');
      this.keys = toHeldKeys(body.keys as JsonWebKey[]);
    } catch (error) {
      // Never the URL: it may carry a tenant id or a credential in its query.
      const reason = error instanceof Error ? error.message : 'unknown error';
      this.logger.warn(`JWKS fetch failed (${reason}); keeping the ${this.keys.size} keys held`);
    }
  }
}

function toHeldKeys(jwks: JsonWebKey[]): Map<string, HeldKey> {
  const keys = new Map<string, HeldKey>();
  for (const jwk of jwks) {
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
    try {
      const kid = typeof jwk.kid === 'string' ? jwk.kid : '';
      keys.set(kid, { key: createPublicKey({ key: jwk, format: 'jwk' }), alg: typeof jwk.alg === 'string' ? jwk.alg : undefined });
    } catch {
      // A key Node cannot read is a key no token can use; the others still count.
    }
  }
  return keys;
}

/** RS256 needs an RSA key, ES256 a P-256 key; a key that names its algorithm serves only that one. */
function fitsAlgorithm({ key, alg: keyAlg }: HeldKey, alg: JwksAlgorithm): boolean {
  if (keyAlg !== undefined && keyAlg !== alg) return false;
  if (alg === 'RS256') return key.asymmetricKeyType === 'rsa';
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}
