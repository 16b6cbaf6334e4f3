// Server-side memory of pending X authorizations: the `state` sent to X maps to the user who
// asked and the PKCE verifier, which never leaves the server. In Redis when configured (any
// instance can take the callback), else in process. Entries are single-use and short-lived.
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { Clock } from '../../core/clock/clock';

export interface PendingAuthorization {
  userId: string;
  codeVerifier: string;
  /** SHA-256 (base64url) of the nonce in the starting browser's cookie. */
  browserNonceHash: string;
  /** Epoch ms, checked against the app clock on use. */
  createdAt: number;
}

export abstract class OAuthStateStore {
  abstract save(state: string, pending: PendingAuthorization, ttlMs: number): Promise<void>;
  /** Returns the entry and deletes it in one step, so a state can never be used twice. */
  abstract take(state: string): Promise<PendingAuthorization | undefined>;
}

/** Keys hold a hash of the state, so the store's key list is no list of usable states. */
function keyOf(state: string): string {
  return sha256(state);
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export class RedisOAuthStateStore extends OAuthStateStore {
  private static readonly PREFIX = 'repazoo:oauth-state:';

  constructor(private readonly redis: Redis) {
    super();
  }

  async save(state: string, pending: PendingAuthorization, ttlMs: number): Promise<void> {
    await this.redis.set(RedisOAuthStateStore.PREFIX + keyOf(state), JSON.stringify(pending), 'PX', ttlMs, 'NX');
  }

  async take(state: string): Promise<PendingAuthorization | undefined> {
    const raw = await this.redis.getdel(RedisOAuthStateStore.PREFIX + keyOf(state));
    return raw === null ? undefined : parsePending(raw);
  }
}

export class MemoryOAuthStateStore extends OAuthStateStore {
  private readonly entries = new Map<string, { pending: PendingAuthorization; expiresAt: number }>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async save(state: string, pending: PendingAuthorization, ttlMs: number): Promise<void> {
    const now = this.clock.nowMs();
    // Abandoned authorizations are swept here, so the map stays as small as the live ones.
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    this.entries.set(keyOf(state), { pending, expiresAt: now + ttlMs });
  }

  async take(state: string): Promise<PendingAuthorization | undefined> {
    const key = keyOf(state);
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry && entry.expiresAt > this.clock.nowMs() ? entry.pending : undefined;
  }
}

function parsePending(raw: string): PendingAuthorization | undefined {
  try {
    const value = JSON.parse(raw) as Partial<PendingAuthorization>;
    return typeof value.userId === 'string' &&
      typeof value.codeVerifier === 'string' &&
      typeof value.browserNonceHash === 'string' &&
      typeof value.createdAt === 'number'
      ? { userId: value.userId, codeVerifier: value.codeVerifier, browserNonceHash: value.browserNonceHash, createdAt: value.createdAt }
      : undefined;
  } catch {
    return undefined;
  }
}

export function createOAuthStateStore(redis: Redis | null, clock: Clock): OAuthStateStore {
  return redis ? new RedisOAuthStateStore(redis) : new MemoryOAuthStateStore(clock);
}
