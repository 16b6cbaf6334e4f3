// The monthly analysis quota: how many analysis runs each tier may complete per calendar month
// (UTC). This object is the one place these numbers live.
import type { SubscriptionTier } from '../billing/entities/subscription.entity';

export const ANALYSIS_MONTHLY_QUOTA: Readonly<Record<SubscriptionTier, number>> = Object.freeze({
  basic: 100,
  pro: 1000,
});

export interface QuotaMonth {
  /** First instant of the month, UTC (inclusive). */
  start: Date;
  /** First instant of the next month, UTC (exclusive): when the quota resets. */
  end: Date;
}

/** The calendar month (UTC) that `now` falls in. */
export function quotaMonthOf(now: Date): QuotaMonth {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  // Date.UTC rolls month 12 over into January of the next year.
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}
