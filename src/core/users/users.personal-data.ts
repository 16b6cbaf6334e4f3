// The personal data the users table holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../personal-data';

export const USERS_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'users',
      person: { column: 'id' },
      category: 'Account identifier and activity dates',
      purpose: 'Identify the person signed in by the identity provider and record when they were last active',
      legalBasis: 'Art. 6(1)(b) contract',
      safeguards: ['Holds no name, email or profile: only the identity provider subject and dates'],
      softDeletable: false,
      erasure: {
        action: 'keep',
        reason:
          'Account tombstone: `erased_at` proves the erasure was carried out (accountability, GDPR Art. 5(2)) and the row holds nothing but the id and dates',
      },
      export: { key: 'user', columns: ['id', 'created_at', 'last_seen_at', 'erased_at'], single: true },
      retention: { kept: 'The account row lives as long as the account; after erasure it is the tombstone' },
    },
  ],
};
