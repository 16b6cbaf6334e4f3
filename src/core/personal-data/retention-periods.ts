// The retention table: the only place in the code base where retention periods live. The
// personal-data map names a category per table; the daily cleanup, the CLI, the admin route, the
// /privacy page and the record of processing read the days from here. In core because every
// module's personal-data declaration (core's own tables too) names one of these categories.

/** Days per retention category (spec section 3, Retention). */
export const RETENTION_DAYS = {
  logs: 90,
  billing_events: 365,
  jobs: 30,
  errors: 180,
  audit: 365,
  support_tickets: 365,
  dsar_exports: 30,
  analyses_inactive_users: 90,
  revoked_consent: 0,
  cancelled_subscriptions: 30,
  compliance_events: 90,
} as const;

export type RetentionCategory = keyof typeof RETENTION_DAYS;

/** What each category covers, as the /privacy page and the record of processing say it. */
export const RETENTION_DESCRIPTIONS: Record<RetentionCategory, string> = {
  logs: 'Operational run logs',
  jobs: 'Successful workflow runs',
  errors: 'Failed workflow runs and their errors',
  audit: 'Audit log entries',
  support_tickets: 'Support tickets',
  dsar_exports: 'Data exports (GDPR/CCPA) and their files',
  billing_events: 'Stripe webhook event log (billing records themselves are kept)',
  analyses_inactive_users: 'Sentiment analyses of users inactive for the period',
  revoked_consent: 'Tweets and analyses of people who revoked their X consent',
  cancelled_subscriptions: 'Tweets and analyses of subscriptions cancelled longer ago than the period',
  compliance_events: 'Compliance events (rate-limit refusals, failed token refreshes, quota refusals)',
};

/** Soft-deleted rows are hard-deleted this many days after their soft delete. */
export const SOFT_DELETE_GRACE_DAYS = 30;

export const RETENTION_CATEGORY_NAMES = Object.keys(RETENTION_DAYS) as RetentionCategory[];
