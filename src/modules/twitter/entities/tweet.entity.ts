import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A stored tweet of the person's own timeline, with PII redacted from its text. */
@Entity({ tableName: 'twitter_data' })
@Unique({ properties: ['userId', 'tweetId'] })
@Index({ properties: ['userId', 'tweetCreatedAt'] })
export class Tweet {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  /** X's tweet id (a numeric string). */
  @Property({ type: 'text' })
  tweetId!: string;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'text', nullable: true })
  lang?: string | null;

  @Property({ type: 'datetime' })
  tweetCreatedAt!: Date;

  @Property({ type: 'datetime' })
  fetchedAt!: Date;

  /** The run that stored it, for provenance in exports. */
  @Property({ type: 'uuid', nullable: true })
  runId?: string | null;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
