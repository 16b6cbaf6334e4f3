import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A person's X OAuth tokens. Token values are only ever stored as AES-256-GCM ciphertexts
 * (`<kid>:<iv>:<tag>:<ciphertext>`), never in plain text.
 */
@Entity({ tableName: 'oauth_tokens' })
@Unique({ properties: ['userId', 'provider'] })
export class OAuthToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  provider = 'x';

  /** The person's X account id, needed to read their timeline. */
  @Property({ type: 'text' })
  providerUserId!: string;

  @Property({ type: 'text' })
  accessTokenCiphertext!: string;

  @Property({ type: 'text', nullable: true })
  refreshTokenCiphertext?: string | null;

  /** Id of the key that encrypted both ciphertexts (for rotation). */
  @Property({ type: 'text' })
  keyId!: string;

  @Property({ type: 'text[]' })
  scopes: string[] = [];

  @Property({ type: 'datetime' })
  accessTokenExpiresAt!: Date;

  @Property({ type: 'datetime' })
  grantedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  refreshedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
