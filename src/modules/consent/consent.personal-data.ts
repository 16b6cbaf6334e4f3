// The personal data the Consent module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';
import { OAUTH_STATE_TTL_MS } from './consent.constants';

export const CONSENT_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'consent_records',
      person: { column: 'user_id' },
      category: 'Consent given to and withdrawn from X access',
      purpose: 'Prove that the person consented before their X data was processed',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      safeguards: ['Append-only records; no token or content'],
      softDeletable: true,
      erasure: { action: 'keep', reason: 'Proof of consent: the controller must be able to demonstrate consent (GDPR Art. 7(1))' },
      export: { key: 'consent', columns: ['id', 'provider', 'action', 'scopes', 'privacy_notice_version', 'recorded_at'] },
      retention: { kept: 'Kept as proof of consent for as long as a claim about the processing can be made' },
    },
    {
      table: 'oauth_tokens',
      person: { column: 'user_id' },
      category: 'X account id and OAuth tokens',
      purpose: 'Read the person\u2019s tweets from X on their behalf',
      legalBasis: 'Art. 6(1)(a) consent',
      recipients: ['X (Twitter)'],
      safeguards: ['Tokens encrypted (AES-256-GCM) under rotating keys', 'Revoked at X when consent is withdrawn'],
      softDeletable: true,
      erasure: { action: 'delete', countAs: 'tokens' },
      // Token ciphertexts are never exported.
      export: {
        key: 'oauthHistory',
        columns: ['id', 'provider', 'provider_user_id', 'scopes', 'granted_at', 'access_token_expires_at', 'refreshed_at', 'revoked_at', 'created_at'],
      },
      retention: { kept: 'Until the person disconnects X or erases their data; revoking at X ends the tokens\u2019 use' },
    },
  ],
  redisKeys: [
    {
      pattern: 'repazoo:oauth-state:<hash of state> \u2192 { userId, PKCE verifier }',
      category: 'Pending X authorisation',
      purpose: 'Bind the X consent callback to the person who started it',
      legalBasis: 'Art. 6(1)(a) consent',
      maxTtlSeconds: OAUTH_STATE_TTL_MS / 1000,
    },
  ],
};
