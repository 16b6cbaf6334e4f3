import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A person known to the service. Never deleted: erasure removes their data, not the account row. */
@Entity({ tableName: 'users' })
export class User {
  /** The JWT `sub`. */
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Index()
  @Property({ type: 'datetime' })
  lastSeenAt: Date = new Date();

  /** Set when the person last erased their data (delete-my-data). */
  @Property({ type: 'datetime', nullable: true })
  erasedAt?: Date;
}
