import { buildPersonalDataCatalogue, DeclaredPersonalData, InvalidPersonalDataMapError, PersonalDataMap, undeclaredPersonTables } from './personal-data.map';
import { PersonalDataTable } from './personal-data.types';
import { pseudonymiseColumn, scrubIdentifyingFields } from './pseudonymisation';

function table(overrides: Partial<PersonalDataTable> = {}): PersonalDataTable {
  return {
    table: 'notes',
    person: { column: 'user_id' },
    category: 'Notes',
    purpose: 'Keep notes',
    legalBasis: 'Art. 6(1)(b) contract',
    safeguards: ['none'],
    softDeletable: true,
    erasure: { action: 'delete' },
    export: { key: 'notes', columns: ['id', 'text'] },
    retention: { rules: [{ category: 'logs', expiredWhere: 't.created_at < ?' }] },
    ...overrides,
  };
}

const build = (...tables: PersonalDataTable[]) => buildPersonalDataCatalogue([new DeclaredPersonalData('notes', { tables })]);

describe('buildPersonalDataCatalogue', () => {
  it('should collect every module’s tables, sorted by name', () => {
    const catalogue = buildPersonalDataCatalogue([
      new DeclaredPersonalData('b', { tables: [table({ table: 'zebra', export: { key: 'z', columns: ['id'] } })] }),
      new DeclaredPersonalData('a', { tables: [table()] }),
    ]);
    expect(catalogue.tables.map((t) => t.table)).toEqual(['notes', 'zebra']);
  });

  it.each<[string, PersonalDataTable[], string]>([
    ['a table declared twice', [table(), table({ export: { key: 'other', columns: ['id'] } })], 'already declared'],
    ['an export key used twice', [table(), table({ table: 'other' })], 'export key "notes"'],
    ['a name that is not a plain identifier', [table({ export: { key: 'notes', columns: ['id; drop table users'] } })], 'not a plain lower-case SQL identifier'],
    ['a kept table without a reason', [table({ erasure: { action: 'keep', reason: ' ' } })], 'without a reason'],
    ['no retention rule', [table({ retention: { rules: [] } })], 'no retention rule'],
    ['retention of a protected table', [table({ table: 'billing_records' })], 'must never be deleted by retention'],
    ['a rule without a cutoff', [table({ retention: { rules: [{ category: 'logs', expiredWhere: 'true' }] } })], 'without a cutoff'],
    [
      'a pseudonymisation that leaves the person column',
      [table({ erasure: { action: 'pseudonymise', columns: { text: 'scrub-identifying-fields' }, reason: 'accounting' } })],
      'without replacing its person column',
    ],
  ])('should refuse %s', (_name, tables, message) => {
    expect(() => build(...tables)).toThrow(InvalidPersonalDataMapError);
    expect(() => build(...tables)).toThrow(message);
  });

  it('should refuse a Redis key naming a person that lives over an hour without a way to erase it', () => {
    const declare = (maxTtlSeconds: number | null, keysOf?: (userId: string) => string[]) =>
      buildPersonalDataCatalogue([
        new DeclaredPersonalData('cache', {
          redisKeys: [{ pattern: 'cache:<userId>', category: 'c', purpose: 'p', legalBasis: 'Art. 6(1)(b) contract', maxTtlSeconds, keysOf }],
        }),
      ]);
    expect(() => declare(3600)).not.toThrow();
    expect(() => declare(3601)).toThrow('lives longer than an hour');
    expect(() => declare(null)).toThrow('lives longer than an hour');
    expect(() => declare(null, (userId) => [`cache:${userId}`])).not.toThrow();
  });
});

describe('pseudonymisation', () => {
  it('should replace the user id by its keyed hash and keep nulls', () => {
    expect(pseudonymiseColumn('keyed-hash', 'user-1', 'user-1', 'HASH')).toBe('HASH');
    expect(pseudonymiseColumn('keyed-hash', null, 'user-1', 'HASH')).toBeNull();
  });

  it('should remove names, emails, phones and addresses from a Stripe payload, in snake_case and camelCase, and swap the user id', () => {
    const payload = {
      id: 'evt_1',
      data: {
        object: {
          amount_paid: 1900,
          customer_name: 'Ada',
          customer_email: 'ada@example.com',
          customerPhone: '+44 20',
          billing_details: { address: { line1: 'x' } },
          shipping: { name: 'Ada' },
          lines: [{ description: 'Pro plan', metadata: { userId: 'user-1', note: 'for user-1 only' } }],
        },
      },
    };
    expect(scrubIdentifyingFields(payload, 'user-1', 'HASH')).toEqual({
      id: 'evt_1',
      data: { object: { amount_paid: 1900, lines: [{ description: 'Pro plan', metadata: { userId: 'HASH', note: 'for HASH only' } }] } },
    });
  });

  it('should cut a document nested deeper than any Stripe object instead of walking it', () => {
    let deep: unknown = 'user-1';
    for (let i = 0; i < 100; i += 1) deep = { next: deep };
    expect(JSON.stringify(scrubIdentifyingFields(deep, 'user-1', 'HASH'))).not.toContain('user-1');
  });
});

describe('undeclaredPersonTables', () => {
  it('should name the entities with a user_id column that the map does not declare', () => {
    const map = { tables: () => [table()] } as unknown as PersonalDataMap;
    const entities = [
      { tableName: 'notes', props: [{ fieldNames: ['user_id'] }] },
      { tableName: 'notifications', props: [{ fieldNames: ['id'] }, { fieldNames: ['user_id'] }] },
      { tableName: 'alerts', props: [{ fieldNames: ['subject'] }, {}] },
    ];
    expect(undeclaredPersonTables(entities, map)).toEqual(['notifications']);
  });
});
