// The personal data the Monitoring module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';

export const MONITORING_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'compliance_events',
      person: { column: 'user_id' },
      category: 'Compliance events: rate-limit refusals, failed token refreshes, quota refusals',
      purpose: 'Detect abuse and failing integrations and alert the operator',
      legalBasis: 'Art. 6(1)(f) legitimate interests',
      recipients: ['Alert webhook (operator)'],
      safeguards: ['Details redacted; alerts carry counts, not user ids'],
      softDeletable: false,
      erasure: { action: 'delete', countAs: 'compliance_events' },
      export: { key: 'complianceEvents', columns: ['id', 'kind', 'details', 'occurred_at'] },
      retention: { rules: [{ category: 'compliance_events', expiredWhere: 't.occurred_at < ?' }] },
    },
  ],
};
