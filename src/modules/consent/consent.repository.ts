// Query code of the Consent module: OAuth token rows (read, lock, upsert) and consent records.
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { X_PROVIDER } from './consent.constants';
import { ConsentAction, ConsentRecord } from './entities/consent-record.entity';
import { OAuthToken } from './entities/oauth-token.entity';

/** The fields a (re)connection writes; everything else about the row is reset. */
export interface TokenGrantRow {
  userId: string;
  providerUserId: string;
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string | null;
  keyId: string;
  scopes: string[];
  accessTokenExpiresAt: Date;
  grantedAt: Date;
}

export interface ConsentRecordRow {
  userId: string;
  action: ConsentAction;
  scopes: string[];
  privacyNoticeVersion: string;
  recordedAt: Date;
}

/**
 * A method that may run inside the caller's transaction takes its EntityManager as the first
 * parameter; the others work on a fork of the root EntityManager, so they behave the same in a
 * request, a job step or the CLI.
 */
@Injectable()
export class ConsentRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Live X connections (not revoked, token held) granted in (`grantedFrom`, `grantedTo`]: whose
   * consent expires in a given window. Ordered and bounded so a daily run reads in pages.
   */
  async findLiveGrantsBetween(grantedFrom: Date, grantedTo: Date, afterUserId: string, limit: number): Promise<{ userId: string; grantedAt: Date }[]> {
    const rows = await this.em.getConnection().execute<{ user_id: string; granted_at: Date | string }[]>(
      `select user_id, granted_at from oauth_tokens
        where provider = ? and deleted_at is null and revoked_at is null and access_token_ciphertext is not null
          and granted_at > ? and granted_at <= ? and user_id > ?
        order by user_id limit ?`,
      [X_PROVIDER, grantedFrom, grantedTo, afterUserId, limit],
    );
    return rows.map((row) => ({ userId: row.user_id, grantedAt: new Date(row.granted_at) }));
  }

  /** The user's token row, read outside any transaction. */
  findToken(userId: string): Promise<OAuthToken | null> {
    return this.findTokenInTransaction(this.em.fork(), userId);
  }

  /** With `lock`: the row is held (FOR SHARE) until the transaction ends, read fresh from the database. */
  findTokenInTransaction(em: EntityManager, userId: string, { lock = false } = {}): Promise<OAuthToken | null> {
    return em.findOne(
      OAuthToken,
      { userId, provider: X_PROVIDER, deletedAt: null },
      lock ? { lockMode: LockMode.PESSIMISTIC_READ, disableIdentityMap: true } : {},
    );
  }

  /**
   * Runs `work` in a transaction holding the user's token row locked (`select ... for update`),
   * with the row as committed by whoever held the lock before. Changes to the row are flushed on
   * commit. Inside `work`, use only the given EntityManager: embedded mode (PGlite) serves one
   * connection at a time and would hang waiting on a second one.
   */
  withLockedToken<T>(userId: string, work: (em: EntityManager, token: OAuthToken | null) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(async (em) => {
      const token = await em.findOne(
        OAuthToken,
        { userId, provider: X_PROVIDER, deletedAt: null },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      return work(em, token);
    });
  }

  /** One row per user and provider: a reconnection replaces the tokens and clears revocation. */
  async upsertToken(em: EntityManager, row: TokenGrantRow): Promise<void> {
    await em.upsert(
      OAuthToken,
      {
        id: randomUUID(),
        ...row,
        provider: X_PROVIDER,
        revokedAt: null,
        refreshedAt: null,
        deletedAt: null,
        updatedAt: row.grantedAt,
        createdAt: row.grantedAt,
      },
      { onConflictFields: ['userId', 'provider'], onConflictAction: 'merge', onConflictExcludeFields: ['id', 'createdAt'] },
    );
  }

  /** Whether another account holds a live connection of this X account (under a lock on the X account id). */
  async isXAccountConnectedElsewhere(em: EntityManager, providerUserId: string, userId: string): Promise<boolean> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`x-account:${providerUserId}`]);
    const [row] = await em.execute<{ user_id: string }[]>(
      'select user_id from oauth_tokens where provider = ? and provider_user_id = ? and user_id <> ? and revoked_at is null and deleted_at is null limit 1',
      [X_PROVIDER, providerUserId, userId],
    );
    return row !== undefined;
  }

  /**
   * Up to `limit` token rows after `afterId` (id order) not encrypted under `currentKeyId`, locked
   * (FOR UPDATE) until the transaction ends; changes to them are flushed on commit.
   */
  lockTokensToRotate(em: EntityManager, currentKeyId: string, afterId: string, limit: number): Promise<OAuthToken[]> {
    return em.find(
      OAuthToken,
      { id: { $gt: afterId }, keyId: { $ne: currentKeyId }, accessTokenCiphertext: { $ne: '' } },
      { orderBy: { id: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
  }

  addConsentRecord(em: EntityManager, row: ConsentRecordRow): ConsentRecord {
    const record = em.create(ConsentRecord, { ...row, provider: X_PROVIDER });
    em.persist(record);
    return record;
  }
}
