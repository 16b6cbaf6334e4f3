// The personal data the Support module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';

export const SUPPORT_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'support_tickets',
      person: { column: 'user_id' },
      category: 'Support tickets the person wrote',
      purpose: 'Answer the person\u2019s support requests',
      legalBasis: 'Art. 6(1)(b) contract',
      safeguards: ['Visible to the person only', 'Subject and body encrypted under the person\u2019s own data key, destroyed on erasure (crypto-shredding)'],
      softDeletable: true,
      encrypted: ['subject', 'body'],
      erasure: { action: 'delete', countAs: 'support_tickets' },
      export: { key: 'supportTickets', columns: ['id', 'subject', 'body', 'status', 'created_at'] },
      retention: { rules: [{ category: 'support_tickets', expiredWhere: 't.created_at < ?' }] },
    },
  ],
};
