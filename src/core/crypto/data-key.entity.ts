import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One person's data key (crypto-shredding, spec 3c): the AES-256 key their content is encrypted
 * under, wrapped (AES-256-GCM) by the current master key of ENCRYPTION_KEYS. Erasure overwrites and
 * deletes the row, which makes every copy of the person's content unreadable, backups included.
 */
@Entity({ tableName: 'data_keys' })
export class DataKey {
  /** The key id every ciphertext names (`c1:<id>:...`): random, says nothing about the person. */
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Unique()
  @Property({ type: 'text' })
  userId!: string;

  /** `v1:<master key id>:...` (TokenCipher), bound to the user id and key id. */
  @Property({ type: 'text' })
  wrappedKey!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** Set as the row is overwritten, in the erasure's transaction that then deletes it. */
  @Property({ type: 'datetime', nullable: true })
  destroyedAt?: Date | null;
}
