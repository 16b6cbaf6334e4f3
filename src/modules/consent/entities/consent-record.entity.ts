import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export enum ConsentAction {
  GRANTED = 'granted',
  WITHDRAWN = 'withdrawn',
}

/** An append-only record of a consent decision: what was agreed, when, under which privacy notice. */
@Entity({ tableName: 'consent_records' })
@Index({ properties: ['userId', 'recordedAt'] })
export class ConsentRecord {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  provider = 'x';

  @Enum({ items: () => ConsentAction, nativeEnumName: 'consent_action' })
  action!: ConsentAction;

  @Property({ type: 'text[]' })
  scopes: string[] = [];

  @Property({ type: 'text' })
  privacyNoticeVersion!: string;

  @Property({ type: 'datetime' })
  recordedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
