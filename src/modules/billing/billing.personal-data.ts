// The personal data the Billing module holds, for the personal-data map (src/core/personal-data).
import type { PersonalDataDeclarations } from '../../core/personal-data';

const ACCOUNTING = 'Accounting records: commercial and tax law require payment records to be kept (GDPR Art. 17(3)(b))';

export const BILLING_PERSONAL_DATA: PersonalDataDeclarations = {
  tables: [
    {
      table: 'subscriptions',
      person: { column: 'user_id' },
      category: 'Subscription and Stripe customer reference',
      purpose: 'Provide the paid tier the person subscribed to',
      legalBasis: 'Art. 6(1)(b) contract',
      recipients: ['Stripe'],
      safeguards: ['Only Stripe references are stored, never card data', 'Webhooks verified by signature'],
      softDeletable: true,
      erasure: { action: 'keep', reason: ACCOUNTING },
      export: { key: 'subscriptions', columns: ['id', 'tier', 'status', 'current_period_end', 'cancelled_at', 'created_at', 'updated_at'] },
      retention: { kept: ACCOUNTING },
    },
    {
      table: 'billing_records',
      person: { column: 'user_id' },
      category: 'Invoices and payments',
      purpose: 'Bookkeeping of the person\u2019s payments',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      recipients: ['Stripe'],
      safeguards: ['Only amounts, currencies, states and Stripe references; never card data'],
      softDeletable: false,
      erasure: { action: 'keep', reason: ACCOUNTING },
      export: { key: 'billingRecords', columns: ['id', 'kind', 'stripe_object_id', 'amount_cents', 'currency', 'status', 'occurred_at'] },
      retention: { kept: ACCOUNTING },
    },
    {
      table: 'billing_events',
      person: { column: 'user_id' },
      category: 'Stripe webhook events',
      purpose: 'Apply each Stripe event once, in order, and keep it as evidence of the payment',
      legalBasis: 'Art. 6(1)(c) legal obligation',
      recipients: ['Stripe'],
      safeguards: ['Payload redacted (log profile) when stored', 'Pseudonymised on erasure'],
      softDeletable: true,
      erasure: {
        action: 'pseudonymise',
        columns: { user_id: 'keyed-hash', payload: 'scrub-identifying-fields' },
        reason: 'Accounting: the event log is kept for its retention period as evidence of payments, the user id replaced by a keyed hash and names, emails and addresses removed',
      },
      export: { key: 'billingEvents', columns: ['id', 'type', 'payload', 'received_at'] },
      retention: { rules: [{ category: 'billing_events', expiredWhere: 't.received_at < ?' }] },
    },
  ],
};
