// The personal data the Twitter module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';
import { CANCELLED_SUBSCRIPTION_USERS, REVOKED_CONSENT_USERS } from '../retention/retention-conditions';

export const TWITTER_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'twitter_data',
      person: { column: 'user_id' },
      category: 'The person\u2019s tweets',
      purpose: 'Sentiment analysis of the person\u2019s own tweets, which they asked for',
      legalBasis: 'Art. 6(1)(a) consent',
      recipients: ['X (Twitter)'],
      safeguards: ['Redacted (log profile) before they are stored', 'Text encrypted under the person\u2019s own data key, destroyed on erasure (crypto-shredding)', 'Deleted when deleted at X, when consent is revoked, and on erasure'],
      softDeletable: true,
      encrypted: ['text'],
      erasure: { action: 'delete', countAs: 'tweets' },
      export: { key: 'tweets', columns: ['id', 'tweet_id', 'text', 'lang', 'tweet_created_at', 'fetched_at'] },
      retention: {
        rules: [
          { category: 'revoked_consent', expiredWhere: `t.user_id in (${REVOKED_CONSENT_USERS})` },
          { category: 'cancelled_subscriptions', expiredWhere: `t.user_id in (${CANCELLED_SUBSCRIPTION_USERS})` },
        ],
      },
    },
  ],
};
