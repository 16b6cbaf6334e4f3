// The personal data the audit log holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../personal-data';

export const AUDIT_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'audit_log',
      person: { column: 'user_id' },
      category: 'Audit trail of actions on the person\u2019s data',
      purpose: 'Accountability: show who did what to whose data, and when (GDPR Art. 5(2))',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      safeguards: ['Details redacted (log profile) before they are written', 'Sealed in keyed Merkle batches whose chained head is recorded outside the database'],
      softDeletable: false,
      erasure: {
        action: 'keep',
        reason: 'Audit trail: the record of processing, the erasure included, must outlive the erasure (GDPR Art. 5(2)); its details are redacted',
      },
      export: { key: 'auditLog', columns: ['id', 'action', 'category', 'details', 'created_at'] },
      // No soft-delete stage: an entry is either sealed in a batch or gone. Only entries of whole
      // batches sealed before the cutoff go (a batch is sealed seconds after its entries are
      // written), so the verifier sees leading batches emptied by retention, never a thinned batch
      // in the middle; the batch rows themselves stay (no personal data in them).
      retention: {
        rules: [{ category: 'audit', expiredWhere: 't.id <= (select coalesce(max(b.last_seq), 0) from audit_batches b where b.sealed_at < ?)' }],
      },
    },
  ],
};
