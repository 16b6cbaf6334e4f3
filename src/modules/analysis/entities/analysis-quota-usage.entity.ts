import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Analysis runs used per person and calendar month (UTC). Kept apart from `analyses`, which
 * delete-my-data erases: erasing and reconnecting must not start the month's quota over. The row
 * names no one: `subject` is a keyed hash of the user id (Pseudonyms, PSEUDONYM_KEY), and only the
 * current and the previous month are kept.
 */
@Entity({ tableName: 'analysis_quota_usage' })
export class AnalysisQuotaUsage {
  @PrimaryKey({ type: 'text' })
  subject!: string;

  /** The month's first day (UTC). */
  @PrimaryKey({ type: 'date' })
  month!: string;

  @Property({ type: 'integer' })
  used!: number;
}
