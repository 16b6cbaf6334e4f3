import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export enum ComplianceEventKind {
  RATE_LIMIT_REJECTED = 'rate_limit_rejected',
  TOKEN_REFRESH_FAILED = 'token_refresh_failed',
  QUOTA_EXCEEDED = 'quota_exceeded',
}

/**
 * Events that Monitoring counts over time windows (rate-limit rejections, failed token
 * refreshes, quota-exceeded attempts). Not in the spec's table list: the spec asks for these to
 * be "recorded", and a narrow table keeps those counts cheap and out of the hash-chained audit log.
 */
@Entity({ tableName: 'compliance_events' })
@Index({ properties: ['kind', 'occurredAt'] })
export class ComplianceEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  kind!: ComplianceEventKind;

  @Index()
  @Property({ type: 'text', nullable: true })
  userId?: string | null;

  @Property({ type: 'json' })
  details: Record<string, unknown> = {};

  @Property({ type: 'datetime' })
  occurredAt!: Date;
}
