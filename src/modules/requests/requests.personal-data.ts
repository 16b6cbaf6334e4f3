// The personal data the data-requests module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';

export const REQUESTS_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'data_requests',
      person: { column: 'user_id' },
      category: 'Data subject requests the person made, with their deadlines and answers',
      purpose: 'Answer the person\u2019s privacy requests within the legal deadlines, and show that they were answered',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      safeguards: ['Visible to the person and to admins only', 'Every answer audited with the operator\u2019s id'],
      softDeletable: false,
      // The erasure clears `message` (the person's own words) and keeps the rest of each record
      // (DataRequestsService.recordErasureCompleted).
      erasure: {
        action: 'keep',
        reason: 'The record that the request was received and answered, and when (accountability, GDPR Art. 5(2)); the person\u2019s message is removed',
      },
      export: {
        key: 'dataRequests',
        columns: ['id', 'type', 'regime', 'status', 'received_at', 'due_at', 'extended_until', 'completed_at', 'reason', 'message'],
      },
      retention: { kept: 'Kept as the record of the request for as long as a claim about its answer can be made' },
    },
    {
      table: 'legal_holds',
      person: { column: 'user_id' },
      category: 'Legal holds placed on the person\u2019s data',
      purpose: 'Keep data the law requires to be kept (litigation, an open investigation)',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      safeguards: ['Placed and lifted by admins only, each step audited'],
      softDeletable: false,
      erasure: { action: 'keep', reason: 'The record of a legal obligation to keep the data (GDPR Art. 17(3)(b) and (e)); lifting it is history, not deletion' },
      // The hold's existence and dates are the person's to know; its stated ground (a case
      // reference) is the operator's and may be withheld where disclosure would prejudice it (Art. 23).
      export: { key: 'legalHolds', columns: ['id', 'placed_at', 'until', 'lifted_at'] },
      retention: { kept: 'Kept as the history of holds while a claim about the erasure can be made' },
    },
  ],
};
