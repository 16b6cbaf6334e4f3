// The per-person data keys of crypto-shredding (`data_keys`): created on a person's first content
// write, unwrapped for reads (cached at most a minute, one entry per person), rewrapped when the
// master key rotates, and destroyed by the erasure.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES, PersonKey, sealedKeyId } from './content-cipher';
import { TokenCipher, TokenDecryptionError } from './token-cipher';

/** How long an unwrapped key may be reused without reading its row again (spec: at most a minute). */
export const DATA_KEY_CACHE_MS = 60_000;
/** Cap of the cache: past it, the oldest entries go (a key is one small object per person). */
const DATA_KEY_CACHE_ENTRIES = 10_000;

interface DataKeyRow {
  id: string;
  user_id: string;
  wrapped_key: string;
}

/** Database handle of a call: the caller's transaction, or the request's context. */
type Queryable = Pick<EntityManager, 'getConnection' | 'getTransactionContext'>;

@Injectable()
export class DataKeys {
  /** One entry per person: their key, or null for "has no key" (a person who never wrote content). */
  private readonly cache = new Map<string, { key: PersonKey | null; expiresAt: number }>();

  constructor(
    private readonly em: EntityManager,
    private readonly masterKeys: TokenCipher,
  ) {}

  /**
   * The person's key for sealing new content, created when they have none, read in `em` (the
   * writing transaction) and never from the cache: a key another instance has just destroyed must
   * not seal anything.
   */
  async forWrite(em: Queryable, userId: string): Promise<PersonKey> {
    const existing = await this.select(em, [userId]);
    if (existing[0]) return this.remember(this.unwrap(existing[0]));
    const id = randomBytes(9).toString('base64url');
    const key = randomBytes(DATA_KEY_BYTES);
    // Two first writes at once: one insert wins, the other does nothing and reads the winner's key.
    await query(em, 'insert into data_keys (id, user_id, wrapped_key, created_at) values (?, ?, ?, ?) on conflict (user_id) do nothing', [
      id, userId, this.masterKeys.encrypt(key.toString('base64'), wrapContext(userId, id)), new Date(),
    ]);
    const [row] = await this.select(em, [userId]);
    if (!row) throw new Error('The data key just created could not be read back');
    return this.remember(this.unwrap(row));
  }

  /**
   * The key for reading one person's content, or null when they have none (never wrote, or
   * erased). `stored` are the values about to be opened: when one names another key id than the
   * cached key (destroyed and made anew meanwhile, on another instance), the row is read again;
   * `fresh` always reads it (an export file names no key id).
   */
  async forRead(userId: string, stored: Iterable<unknown> = [], { fresh = false } = {}): Promise<PersonKey | null> {
    const cached = fresh ? undefined : this.cache.get(userId);
    if (cached && cached.expiresAt > Date.now() && namesOnly(stored, cached.key?.keyId ?? null)) return cached.key;
    const [row] = await this.select(this.em, [userId]);
    if (row) return this.remember(this.unwrap(row));
    this.cacheEntry(userId, null);
    return null;
  }

  /** Keys for reading several people's content (an operator's list); people without a key are absent. */
  async forReadMany(userIds: Iterable<string>): Promise<Map<string, PersonKey>> {
    const now = Date.now();
    const keys = new Map<string, PersonKey>();
    const missing: string[] = [];
    for (const userId of new Set(userIds)) {
      const cached = this.cache.get(userId);
      if (cached?.key && cached.expiresAt > now) keys.set(userId, cached.key);
      else missing.push(userId);
    }
    if (missing.length > 0) {
      for (const row of await this.select(this.em, missing)) keys.set(row.user_id, this.remember(this.unwrap(row)));
    }
    return keys;
  }

  /**
   * Destroys the person's key in the erasure's transaction, before its deletes: the row is
   * overwritten (random bytes where the wrapped key was) and then deleted. Returns the keys destroyed.
   */
  async destroy(em: Queryable, userId: string): Promise<number> {
    this.cache.delete(userId);
    await query(em, 'update data_keys set wrapped_key = ?, destroyed_at = ? where user_id = ?', [randomBytes(48).toString('base64'), new Date(), userId]);
    const deleted = await query<{ id: string }>(em, 'delete from data_keys where user_id = ? returning id', [userId]);
    return deleted.length;
  }

  /** Forgets a cached key (the erasure calls `destroy`; tests call this to read the table again). */
  forget(userId: string): void {
    this.cache.delete(userId);
  }

  /**
   * Rewraps up to `batchSize` keys (after key id `afterId`) that are not under the current master
   * key; `npm run cli -- rotate-keys` calls it until it scans nothing. The data keys themselves,
   * and so the content sealed under them, do not change.
   */
  async rewrapBatch(em: Queryable, afterId: string, batchSize: number): Promise<{ scanned: number; rewrapped: number; failed: number; lastId: string }> {
    const prefix = `v1:${this.masterKeys.currentKeyId}:`;
    const rows = await query<DataKeyRow>(
      em,
      "select id, user_id, wrapped_key from data_keys where id > ? and destroyed_at is null and left(wrapped_key, ?) <> ? order by id limit ? for update",
      [afterId, prefix.length, prefix, batchSize],
    );
    let rewrapped = 0;
    for (const row of rows) {
      try {
        const key = this.masterKeys.decrypt(row.wrapped_key, wrapContext(row.user_id, row.id));
        await query(em, 'update data_keys set wrapped_key = ? where id = ?', [this.masterKeys.encrypt(key, wrapContext(row.user_id, row.id)), row.id]);
        rewrapped += 1;
      } catch (error) {
        if (!(error instanceof TokenDecryptionError)) throw error;
      }
    }
    return { scanned: rows.length, rewrapped, failed: rows.length - rewrapped, lastId: rows.at(-1)?.id ?? afterId };
  }

  private select(em: Queryable, userIds: readonly string[]): Promise<DataKeyRow[]> {
    return query<DataKeyRow>(em, 'select id, user_id, wrapped_key from data_keys where user_id in (?) and destroyed_at is null', [userIds]);
  }

  private unwrap(row: DataKeyRow): PersonKey {
    return new PersonKey(row.user_id, row.id, Buffer.from(this.masterKeys.decrypt(row.wrapped_key, wrapContext(row.user_id, row.id)), 'base64'));
  }

  private remember(key: PersonKey): PersonKey {
    this.cacheEntry(key.userId, key);
    return key;
  }

  private cacheEntry(userId: string, key: PersonKey | null): void {
    if (this.cache.size >= DATA_KEY_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.delete(userId);
    this.cache.set(userId, { key, expiresAt: Date.now() + DATA_KEY_CACHE_MS });
  }
}

/** Whether every sealed value among `stored` names `keyId` (plain values name none; null: no key at all). */
function namesOnly(stored: Iterable<unknown>, keyId: string | null): boolean {
  for (const value of stored) {
    if (typeof value !== 'string') continue;
    const named = sealedKeyId(value);
    if (named !== null && named !== keyId) return false;
  }
  return true;
}

/** What a wrapped key is bound to: it opens only for its own person and key id. */
function wrapContext(userId: string, keyId: string): string {
  return `data_keys:${userId}:${keyId}`;
}

function query<T = unknown>(em: Queryable, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}
