import { PersonalDataTable } from '../../core/personal-data';
import { describeRetention, formatRecordsOfProcessingMarkdown, recordsOfProcessing } from './records-of-processing';

const TABLES: PersonalDataTable[] = [
  {
    table: 'billing_events',
    person: { column: 'user_id' },
    category: 'Stripe | webhook events',
    purpose: 'Apply each event once',
    legalBasis: 'Art. 6(1)(c) legal obligation',
    recipients: ['Stripe'],
    safeguards: ['Redacted'],
    softDeletable: true,
    erasure: { action: 'pseudonymise', columns: { user_id: 'keyed-hash', payload: 'scrub-identifying-fields' }, reason: 'Accounting' },
    export: { key: 'billingEvents', columns: ['id'] },
    retention: { rules: [{ category: 'billing_events', expiredWhere: 't.received_at < ?' }] },
  },
  {
    table: 'consent_records',
    person: { column: 'user_id' },
    category: 'Consent',
    purpose: 'Prove consent',
    legalBasis: 'Art. 6(1)(c) legal obligation',
    safeguards: [],
    softDeletable: true,
    erasure: { action: 'keep', reason: 'Proof of consent (GDPR Art. 7(1))' },
    export: { key: 'consent', columns: ['id'] },
    retention: { kept: 'As proof of consent' },
  },
];

describe('records of processing', () => {
  const record = recordsOfProcessing(TABLES, [
    { pattern: 'k:<userId>', category: 'c', purpose: 'p', legalBasis: 'Art. 6(1)(f) legitimate interests', maxTtlSeconds: 60 },
  ]);

  it('should take every field from the declarations and the days from the retention table', () => {
    expect(record.activities[0]).toMatchObject({
      table: 'billing_events',
      recipients: ['Stripe'],
      retention: [{ category: 'billing_events', days: 365 }],
      retentionKept: null,
      erasure: 'pseudonymise',
      erasureReason: 'Accounting',
      pseudonymisedColumns: ['user_id', 'payload'],
    });
    expect(record.activities[1]).toMatchObject({ retention: [], retentionKept: 'As proof of consent', erasure: 'keep' });
    expect(record.redisKeys).toEqual([expect.objectContaining({ pattern: 'k:<userId>', erasedWithPerson: false })]);
    expect(describeRetention(record.activities[0])).toBe('365 days (Stripe webhook event log (billing records themselves are kept))');
  });

  it('should print a Markdown document with one section per table, pipes escaped', () => {
    const markdown = formatRecordsOfProcessingMarkdown(record, new Date('2026-12-01T00:00:00Z'));
    expect(markdown).toContain('Generated 2026-12-01T00:00:00.000Z from the personal-data map');
    expect(markdown).toContain('## Stripe | webhook events (`billing_events`)');
    expect(markdown).toContain('| Retention | 365 days');
    expect(markdown).toContain('| On erasure | Pseudonymised (user_id, payload): Accounting |');
    expect(markdown).toContain('| On erasure | Kept: Proof of consent (GDPR Art. 7(1)) |');
    expect(markdown).toContain('| Recipients | none outside the service |');
    expect(markdown).toContain('| `k:<userId>` | c | p | Art. 6(1)(f) legitimate interests | 60 s | expires by itself within an hour |');
  });
});
