// The personal data the notifications module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';

export const NOTIFICATIONS_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'notifications',
      person: { column: 'user_id' },
      category: 'Notices to the person (consent expiring, runs refused, exports ready, deletion done)',
      purpose: 'Tell the person what happened to their data and what they need to do',
      legalBasis: 'Art. 6(1)(b) contract',
      safeguards: ['Written from fixed templates: ids, codes and dates only, never content', 'Visible to the person only'],
      softDeletable: false,
      // Deleted with the rest; the erasure then leaves one "Your data was deleted" notice on the
      // account's tombstone, which names nothing but the date (see DataErasureService).
      erasure: { action: 'delete', countAs: 'notifications' },
      export: { key: 'notifications', columns: ['id', 'kind', 'title', 'message', 'data', 'created_at', 'read_at'] },
      retention: { kept: 'Until the person deletes their data' },
    },
  ],
};
