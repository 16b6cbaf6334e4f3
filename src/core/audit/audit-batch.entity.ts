import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One sealed batch of the audit log: the entries with ids from `firstSeq` to `lastSeq` (every id
 * in that range that exists, in id order) hashed into a Merkle tree whose `root` is chained to the
 * batch before it (`prevHash`, the previous batch's `chainedHash`). Batches tile the id sequence
 * without gaps or overlaps: each starts one after the last one's `lastSeq`. Rows are never deleted,
 * not even when retention removes the entries they cover (they hold no personal data), so the
 * chain of roots stays checkable from the first batch on.
 */
@Entity({ tableName: 'audit_batches' })
export class AuditBatch {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'bigint' })
  firstSeq!: string;

  @Unique()
  @Property({ type: 'bigint' })
  lastSeq!: string;

  /** How many entries (leaves) the batch holds. */
  @Property({ type: 'integer' })
  size!: number;

  /** Hex of the Merkle root over the entries' leaf hashes. */
  @Property({ type: 'text' })
  root!: string;

  @Property({ type: 'text' })
  prevHash!: string;

  /** HMAC over this batch's fields and `prevHash`: the head recorded outside the database is the newest one. */
  @Property({ type: 'text' })
  chainedHash!: string;

  @Property({ type: 'datetime' })
  sealedAt!: Date;
}
