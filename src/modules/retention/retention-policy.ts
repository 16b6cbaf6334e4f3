// The retention table: the only place in the code base where retention periods live. Everything
// that deletes by age (the daily cleanup, the CLI, the admin route, the /privacy page) reads it.

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
} as const;

/** Soft-deleted rows are hard-deleted this many days after their soft delete. */
export const SOFT_DELETE_GRACE_DAYS = 30;

export type RetentionCategory = keyof typeof RETENTION_DAYS;

/** Tables retention must never touch (tax/accounting law, and accounts are kept). */
export const PROTECTED_TABLES = ['billing_records', 'users'] as const;

export interface RetentionTarget {
  table: string;
  /**
   * SQL condition selecting expired rows of `table` (aliased `t`); `?` is the cutoff time
   * (now minus the category's days). Conditions are constants, never built from input.
   */
  expiredWhere: string;
  /** Rows with a `deleted_at` go through soft-delete first; the others are deleted at once. */
  softDelete: boolean;
}

export interface RetentionCategoryDefinition {
  category: RetentionCategory;
  description: string;
  targets: RetentionTarget[];
}

const REVOKED_CONSENT_USERS = 'select o.user_id from oauth_tokens o where o.revoked_at is not null and o.revoked_at < ?';
const CANCELLED_SUBSCRIPTION_USERS = `select s.user_id from subscriptions s where s.cancelled_at is not null and s.cancelled_at < ?
  and not exists (select 1 from subscriptions a where a.user_id = s.user_id and a.status in ('active', 'trialing') and a.deleted_at is null)`;

export const RETENTION_CATEGORIES: RetentionCategoryDefinition[] = [
  {
    category: 'logs',
    description: 'Operational run logs',
    targets: [{ table: 'run_logs', expiredWhere: 't.created_at < ?', softDelete: true }],
  },
  {
    category: 'jobs',
    description: 'Successful workflow runs',
    targets: [
      { table: 'workflow_runs', expiredWhere: "t.state = 'COMPLETED' and coalesce(t.finished_at, t.created_at) < ?", softDelete: true },
    ],
  },
  {
    category: 'errors',
    description: 'Failed workflow runs and their errors',
    targets: [
      { table: 'workflow_runs', expiredWhere: "t.state = 'FAILED' and coalesce(t.finished_at, t.created_at) < ?", softDelete: true },
    ],
  },
  {
    // The audit log has no soft-delete stage: an entry is either sealed in a batch or gone. Only
    // entries of whole batches sealed before the cutoff go (a batch is sealed seconds after its
    // entries are written), so the verifier sees leading batches emptied by retention, never a
    // thinned batch in the middle; the batch rows themselves stay (no personal data in them).
    category: 'audit',
    description: 'Audit log entries',
    targets: [
      {
        table: 'audit_log',
        expiredWhere: 't.id <= (select coalesce(max(b.last_seq), 0) from audit_batches b where b.sealed_at < ?)',
        softDelete: false,
      },
    ],
  },
  {
    category: 'support_tickets',
    description: 'Support tickets',
    targets: [{ table: 'support_tickets', expiredWhere: 't.created_at < ?', softDelete: true }],
  },
  {
    category: 'dsar_exports',
    description: 'Data exports (GDPR/CCPA) and their files',
    targets: [{ table: 'data_exports', expiredWhere: 't.created_at < ?', softDelete: true }],
  },
  {
    category: 'billing_events',
    description: 'Stripe webhook event log (billing records themselves are kept)',
    targets: [{ table: 'billing_events', expiredWhere: 't.received_at < ?', softDelete: true }],
  },
  {
    category: 'analyses_inactive_users',
    description: 'Sentiment analyses of users inactive for the period',
    targets: [
      {
        table: 'analyses',
        expiredWhere: 't.created_at < ? and t.user_id in (select u.id from users u where u.last_seen_at < ?)',
        softDelete: true,
      },
    ],
  },
  {
    category: 'revoked_consent',
    description: 'Tweets and analyses of people who revoked their X consent',
    targets: [
      { table: 'twitter_data', expiredWhere: `t.user_id in (${REVOKED_CONSENT_USERS})`, softDelete: true },
      { table: 'analyses', expiredWhere: `t.user_id in (${REVOKED_CONSENT_USERS})`, softDelete: true },
    ],
  },
  {
    category: 'cancelled_subscriptions',
    description: 'Tweets and analyses of subscriptions cancelled longer ago than the period',
    targets: [
      { table: 'twitter_data', expiredWhere: `t.user_id in (${CANCELLED_SUBSCRIPTION_USERS})`, softDelete: true },
      { table: 'analyses', expiredWhere: `t.user_id in (${CANCELLED_SUBSCRIPTION_USERS})`, softDelete: true },
    ],
  },
];

for (const definition of RETENTION_CATEGORIES) {
  for (const target of definition.targets) {
    if ((PROTECTED_TABLES as readonly string[]).includes(target.table)) {
      throw new Error(`Retention must never delete from ${target.table}`);
    }
  }
}
