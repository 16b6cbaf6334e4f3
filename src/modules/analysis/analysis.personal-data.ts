// The personal data the Analysis module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';
import { CANCELLED_SUBSCRIPTION_USERS, REVOKED_CONSENT_USERS } from '../retention/retention-conditions';

export const ANALYSIS_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'analyses',
      person: { column: 'user_id' },
      category: 'Sentiment analyses of the person\u2019s tweets',
      purpose: 'Show the person the sentiment of their tweets',
      legalBasis: 'Art. 6(1)(a) consent',
      recipients: ['Anthropic'],
      safeguards: ['Tweets pseudonymised (prompt profile) before they are sent to Anthropic', 'Summaries redacted before they are stored', 'Summary and per-tweet results encrypted under the person\u2019s own data key, destroyed on erasure (crypto-shredding)'],
      softDeletable: true,
      encrypted: ['summary'],
      encryptedJson: ['tweets'],
      erasure: { action: 'delete', countAs: 'analyses' },
      export: { key: 'analyses', columns: ['id', 'run_id', 'provider', 'model', 'overall', 'score', 'summary', 'tweet_count', 'tweets', 'created_at'] },
      retention: {
        rules: [
          { category: 'analyses_inactive_users', expiredWhere: 't.created_at < ? and t.user_id in (select u.id from users u where u.last_seen_at < ?)' },
          { category: 'revoked_consent', expiredWhere: `t.user_id in (${REVOKED_CONSENT_USERS})` },
          { category: 'cancelled_subscriptions', expiredWhere: `t.user_id in (${CANCELLED_SUBSCRIPTION_USERS})` },
        ],
      },
    },
    {
      table: 'analysis_quota_usage',
      person: { column: 'subject', holds: 'pseudonym' },
      category: 'Monthly count of analysis runs',
      purpose: 'Enforce the subscription tier\u2019s monthly analysis quota',
      legalBasis: 'Art. 6(1)(b) contract',
      safeguards: ['Names no one: keyed hash of the user id (PSEUDONYM_KEY)'],
      softDeletable: false,
      erasure: { action: 'keep', reason: 'Holds no user id, only a keyed hash and a count: erasing and reconnecting must not reset the month\u2019s quota' },
      export: { key: 'analysisQuota', columns: ['month', 'used'], orderBy: 'month' },
      retention: { kept: 'Only the current and the previous month: older months are deleted as the quota is counted' },
    },
  ],
};
