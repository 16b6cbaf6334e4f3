// The personal data the Export module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';

export const EXPORT_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'data_exports',
      person: { column: 'user_id' },
      category: 'The person\u2019s data exports (GDPR Art. 20 / CCPA) and their files',
      purpose: 'Give the person a copy of their data',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      safeguards: ['Files served only through short-lived signed URLs', 'Files removed with the row'],
      softDeletable: true,
      fileColumn: 'file_path',
      erasure: { action: 'delete', countAs: 'dsar_exports' },
      export: { key: 'exports', columns: ['id', 'status', 'size_bytes', 'completed_at', 'expires_at', 'created_at'] },
      retention: { rules: [{ category: 'dsar_exports', expiredWhere: 't.created_at < ?' }] },
    },
  ],
};
