import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export enum ComplianceEventKind {
  RATE_LIMIT_REJECTED = 'rate_limit_rejected',
  TOKEN_REFRESH_FAILED = 'token_refresh_failed',
  QUOTA_EXCEEDED = 'quota_exceeded',
  /** A consent verification refused (ConsentGuard or a run's check); details carry the reason code and where. */
  CONSENT_CHECK_FAILED = 'consent_check_failed',
  /** The prompt sanitizer's pre-send check stopped a prompt; details carry the entity types, never the text. */
  PROMPT_PII_FOUND = 'prompt_pii_found',
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
