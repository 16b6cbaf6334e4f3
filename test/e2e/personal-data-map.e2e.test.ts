// The personal-data map (spec section 3c) against the migrated PostgreSQL schema and the real app:
//   (a) every table with a column naming a person is declared, and what each declaration names exists;
//   (b) after delete-my-data, the person's id is in no row of any table but where the map keeps it
//       (and there only in the person column), and in no long-lived Redis key;
//   (c) the export holds every declared table.
// Each check is a function returning its findings, so the same test also runs it against the map
// with one declaration removed and sees it fail: a table that escapes the map is caught.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { PersonalDataMap, PersonalDataTable, RETENTION_DAYS, SELF_ERASED_TABLES } from '../../src/core/personal-data';
import { REDIS_CLIENT } from '../../src/core/redis/redis.module';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { plantPersonalData } from '../utils/plant-personal-data';
import { startTestApp, TestApp } from '../utils/test-app';
import { waitForRun } from '../utils/x-account';

const DAY = 24 * 60 * 60 * 1000;

function sqlOf(sut: TestApp) {
  return <T extends object = Array<Record<string, unknown>>>(query: string, params: unknown[] = []) =>
    sut.em().getConnection().execute(query, params) as Promise<T>;
}

async function schemaColumns(sut: TestApp): Promise<Map<string, Set<string>>> {
  const rows = await sqlOf(sut)<Array<{ table_name: string; column_name: string }>>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'`,
  );
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!tables.has(row.table_name)) tables.set(row.table_name, new Set());
    tables.get(row.table_name)!.add(row.column_name);
  }
  return tables;
}

/** (b) Every place the person's id is found: `table.column`, except the person column of tables the map keeps. */
async function findPerson(sut: TestApp, userId: string, declared: readonly PersonalDataTable[]): Promise<string[]> {
  const found = new Set<string>();
  for (const [table] of await schemaColumns(sut)) {
    const declaration = declared.find((t) => t.table === table);
    const keptColumn = declaration && declaration.erasure.action === 'keep' ? declaration.person.column : null;
    for (const row of await sqlOf(sut)(`select * from "${table}"`)) {
      // The erasure's own confirmation, written after it on the account's tombstone: it names
      // nothing but the date (DataErasureService). Any other notice naming the person is a leak.
      if (table === 'notifications' && row.kind === 'deletion_completed') continue;
      for (const [column, value] of Object.entries(row)) {
        if (value === null || column === keptColumn) continue;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        if (text.includes(userId)) found.add(`${table}.${column}`);
      }
    }
  }
  return [...found].sort();
}

describe('Personal-data map', () => {
  let sut: TestApp;
  let map: PersonalDataMap;
  const sql = <T extends object = Array<Record<string, unknown>>>(query: string, params: unknown[] = []) => sqlOf(sut)<T>(query, params);

  beforeAll(async () => {
    sut = await startTestApp();
    map = sut.app.get(PersonalDataMap);
  });
  beforeEach(() => sut.resetDatabase());
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => sut.close());

  /** The map without one table's declaration, as if its module had never declared it. */
  function withoutDeclaration(table: string): void {
    const tables = map.tables().filter((declared) => declared.table !== table);
    jest.spyOn(map, 'tables').mockReturnValue(tables);
  }

  /**
   * (a) What the schema and the map disagree on. A column names a person when it is `user_id` or a
   * column some declaration names as its person column holding the user id (`id` excepted: every
   * table has one, and only `users` is keyed by the person).
   */
  function schemaFindings(schema: Map<string, Set<string>>, declared: readonly PersonalDataTable[]): string[] {
    const findings: string[] = [];
    const personColumns = new Set(['user_id', ...declared.filter((t) => (t.person.holds ?? 'user-id') === 'user-id').map((t) => t.person.column)]);
    personColumns.delete('id');
    for (const [table, columns] of schema) {
      for (const column of columns) {
        if (!personColumns.has(column)) continue;
        const declaration = declared.find((t) => t.table === table);
        if (!declaration && SELF_ERASED_TABLES.includes(table)) continue;
        if (!declaration) findings.push(`${table}.${column} names a person but ${table} is not in the personal-data map`);
        else if (declaration.person.column !== column) findings.push(`${table}.${column} names a person but the map says ${declaration.person.column} does`);
      }
    }
    for (const declaration of declared) {
      const columns = schema.get(declaration.table);
      if (!columns) {
        findings.push(`${declaration.table} is declared but not in the schema`);
        continue;
      }
      const named = [declaration.person.column, ...declaration.export.columns, declaration.export.orderBy ?? 'id'];
      if (declaration.fileColumn) named.push(declaration.fileColumn);
      if (declaration.softDeletable) named.push('deleted_at');
      if (declaration.erasure.action === 'pseudonymise') named.push(...Object.keys(declaration.erasure.columns));
      for (const column of named) if (!columns.has(column)) findings.push(`${declaration.table}.${column} is declared but not in the schema`);
    }
    return findings;
  }

  /** (b) Redis keys naming the person that outlive an hour (or never expire). */
  async function longLivedRedisKeys(userId: string): Promise<string[]> {
    const redis = sut.app.get<Redis>(REDIS_CLIENT);
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${userId}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        if (ttl === -1 || ttl > 60 * 60 * 1000) found.push(key);
      }
    } while (cursor !== '0');
    return found;
  }

  async function exportDocument(userId: string): Promise<Record<string, unknown>> {
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    const started = await sut.http.post('/api/privacy/export').set(auth);
    expect(started.status).toBe(202);
    expect((await waitForRun(sut, started.body.runId as string)).state).toBe('COMPLETED');
    const status = await sut.http.get(`/api/privacy/exports/${started.body.exportId}`).set(auth);
    const url = new URL(status.body.url as string);
    const download = await sut.http.get(url.pathname + url.search).buffer(true);
    return JSON.parse(download.text || download.body.toString()) as Record<string, unknown>;
  }

  /** (c) Declared tables missing from the document, or (planted tables) present without the planted rows. */
  function exportFindings(document: Record<string, unknown>, declared: readonly PersonalDataTable[]): string[] {
    return map.tables().flatMap((table) => {
      const section = document[table.export.key];
      if (!declared.includes(table) || section === undefined) return [`${table.table} is not in the export (key ${table.export.key})`];
      if (table.export.single) return section !== null && typeof section === 'object' ? [] : [`${table.table}: not an object`];
      return Array.isArray(section) && section.length > 0 ? [] : [`${table.table}: no rows under ${table.export.key}`];
    });
  }

  describe('(a) the schema against the map', () => {
    it('should find every table with a column naming a person declared, and every declared column in the schema', async () => {
      const schema = await schemaColumns(sut);
      expect(schemaFindings(schema, map.tables())).toEqual([]);
      // The tables of the issue that no list held before the map.
      expect(map.tables().map((table) => table.table)).toEqual(expect.arrayContaining(['compliance_events', 'billing_events']));
    });

    it('should fail for each table whose declaration is removed', async () => {
      const schema = await schemaColumns(sut);
      for (const removed of map.tables().filter((table) => table.person.column === 'user_id')) {
        const findings = schemaFindings(schema, map.tables().filter((table) => table !== removed));
        expect(findings).toContain(`${removed.table}.user_id names a person but ${removed.table} is not in the personal-data map`);
      }
    });

    it('should fail for a new table with a user_id that nobody declared', async () => {
      await sql('create table undeclared_notes (id uuid primary key, user_id text not null, note text)');
      try {
        expect(schemaFindings(await schemaColumns(sut), map.tables())).toEqual([
          'undeclared_notes.user_id names a person but undeclared_notes is not in the personal-data map',
        ]);
      } finally {
        await sql('drop table undeclared_notes');
      }
    });
  });

  describe('(b) erase, then scan every table', () => {
    it('should find the person only in the person column of the tables the map keeps, each with its reason', async () => {
      const userId = `erase-${randomUUID()}`;
      const bystander = `bystander-${randomUUID()}`;
      await plantPersonalData(sut, userId);
      await plantPersonalData(sut, bystander);
      // Planted everywhere: the scan sees the person in every table the map declares with the user id.
      const before = await findPerson(sut, userId, []);
      for (const table of map.tables().filter((t) => t.person.holds !== 'pseudonym')) {
        expect(before).toContain(`${table.table}.${table.person.column}`);
      }

      const response = await sut.http.post('/api/privacy/delete-my-data').set({ Authorization: `Bearer ${sut.token(userId)}` });
      expect(response.status).toBe(200);
      expect(response.body.ok).toBe(true);
      expect(response.body.deleted).toMatchObject({ compliance_events: expect.any(Number), tweets: 2, dsar_exports: 1 });
      expect(response.body.deleted.compliance_events).toBeGreaterThanOrEqual(1);

      expect(await findPerson(sut, userId, map.tables())).toEqual([]);
      const kept = map.tables().filter((table) => table.erasure.action === 'keep' && table.person.holds !== 'pseudonym');
      expect(kept.map((table) => table.table).sort()).toEqual(['audit_log', 'billing_records', 'consent_records', 'data_requests', 'legal_holds', 'subscriptions', 'users']);
      for (const table of kept) {
        const reason = table.erasure.action === 'keep' ? table.erasure.reason : '';
        expect({ table: table.table, reason: reason.length > 20 }).toEqual({ table: table.table, reason: true });
        const rows = await sql(`select count(*)::int as n from ${table.table} where ${table.person.column} = ?`, [userId]);
        expect({ table: table.table, rows: Number(rows[0].n) > 0 }).toEqual({ table: table.table, rows: true });
      }
      expect(await longLivedRedisKeys(userId)).toEqual([]);
      // The bystander keeps everything.
      expect((await findPerson(sut, bystander, [])).length).toBeGreaterThanOrEqual(map.tables().length - 1);
    });

    it('should keep billing events, pseudonymised: a keyed hash for the user id, no name, email or address', async () => {
      const userId = `payer-${randomUUID()}`;
      await plantPersonalData(sut, userId);
      await sut.http.post('/api/privacy/delete-my-data').set({ Authorization: `Bearer ${sut.token(userId)}` });
      const [event] = await sql<Array<{ user_id: string; payload: Record<string, unknown> }>>('select user_id, payload from billing_events');
      expect(event.user_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(event.user_id).not.toBe(userId);
      const text = JSON.stringify(event.payload);
      for (const gone of ['Ada Lovelace', 'ada@example.com', 'Analytical Row', 'London', userId]) expect(text).not.toContain(gone);
      expect(event.payload).toMatchObject({ type: 'invoice.paid', data: { object: { amount_paid: 1900, metadata: { userId: event.user_id } } } });
    });

    it('should pseudonymise every one of 1,201 billing events (two full batches of 500 and a partial one), and no one else’s', async () => {
      const userId = `big-payer-${randomUUID()}`;
      const bystander = `other-payer-${randomUUID()}`;
      const plantEvents = (person: string, count: number, tag: string) =>
        sql(
          `insert into billing_events (id, type, user_id, payload, received_at)
           select 'evt_' || ? || '_' || i, 'invoice.paid', ?::text,
                  jsonb_build_object('id', 'evt_' || ? || '_' || i, 'type', 'invoice.paid', 'data', jsonb_build_object('object', jsonb_build_object(
                    'amount_paid', i, 'customer_email', 'ada@example.com', 'customer_name', 'Ada Lovelace', 'metadata', jsonb_build_object('userId', ?::text)))),
                  now() - i * interval '1 minute'
             from generate_series(1, ?::int) i`,
          [tag, person, tag, person, count],
        );
      await plantEvents(userId, 1201, userId);
      await plantEvents(bystander, 3, bystander);

      const response = await sut.http.post('/api/privacy/delete-my-data').set({ Authorization: `Bearer ${sut.token(userId)}` });

      expect(response.status).toBe(200);
      expect(response.body.ok).toBe(true);
      const events = await sql<Array<{ id: string; user_id: string; payload: { data: { object: Record<string, unknown> } } }>>(
        'select id, user_id, payload from billing_events where id like ? order by id',
        [`evt_${userId}_%`],
      );
      expect(events).toHaveLength(1201);
      const pseudonym = events[0].user_id;
      expect(pseudonym).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const notPseudonymised = events.filter(
        (event) => event.user_id !== pseudonym || JSON.stringify(event.payload).includes('ada@example.com') || JSON.stringify(event.payload).includes(userId),
      );
      expect(notPseudonymised.map((event) => event.id)).toEqual([]);
      // Each event keeps its own amount: the rows were rewritten one to one, not swapped.
      const amounts = new Set(events.map((event) => `${event.id.split('_').pop()}=${String(event.payload.data.object.amount_paid)}`));
      expect([...amounts].filter((pair) => pair.split('=')[0] !== pair.split('=')[1])).toEqual([]);
      expect(await sql('select count(*)::int as n from billing_events where user_id = ?', [userId])).toEqual([{ n: 0 }]);
      const untouched = await sql<Array<{ user_id: string; payload: unknown }>>('select user_id, payload from billing_events where user_id = ?', [bystander]);
      expect(untouched).toHaveLength(3);
      for (const event of untouched) expect(JSON.stringify(event.payload)).toContain('ada@example.com');
    });

    it('should leave the person in a table whose declaration is removed, and the scan names it', async () => {
      const userId = `escapee-${randomUUID()}`;
      await plantPersonalData(sut, userId);
      const declared = map.tables();
      withoutDeclaration('compliance_events');
      await sut.http.post('/api/privacy/delete-my-data').set({ Authorization: `Bearer ${sut.token(userId)}` });
      const findings = await findPerson(sut, userId, declared);
      expect(findings).toContain('compliance_events.user_id');
      expect(findings.filter((finding) => !finding.startsWith('compliance_events.'))).toEqual([]);
    });
  });

  describe('(c) the export', () => {
    it('should hold every declared table, with the planted rows', async () => {
      const userId = `exporter-${randomUUID()}`;
      await plantPersonalData(sut, userId);
      const document = await exportDocument(userId);
      expect(exportFindings(document, map.tables())).toEqual([]);
      expect(Object.keys(document)).toEqual(['exportedAt', ...map.tables().filter((t) => t.export.single).map((t) => t.export.key), ...map.tables().filter((t) => !t.export.single).map((t) => t.export.key)]);
      expect(JSON.stringify(document)).not.toContain('sealed-access');
    });

    it('should miss a table whose declaration is removed, and the check names it', async () => {
      const userId = `partial-${randomUUID()}`;
      await plantPersonalData(sut, userId);
      const declared = map.tables();
      withoutDeclaration('compliance_events');
      const document = await exportDocument(userId);
      jest.restoreAllMocks();
      expect(exportFindings(document, declared)).toEqual(['compliance_events is not in the export (key complianceEvents)']);
    });
  });

  describe('retention from the map', () => {
    it('should expire compliance events after their 90 days, and pseudonymised billing events only after 365', async () => {
      const now = new Date();
      const ago = (days: number, extraMs = 0) => new Date(now.getTime() - days * DAY + extraMs);
      for (const [kind, occurredAt] of [['old', ago(RETENTION_DAYS.compliance_events, -1000)], ['recent', ago(RETENTION_DAYS.compliance_events, 1000)]] as const) {
        await sql("insert into compliance_events (kind, user_id, details, occurred_at) values (?, 'u1', '{}', ?)", [kind, occurredAt]);
      }
      await sql("insert into billing_events (id, type, user_id, payload, received_at) values ('evt_1', 'invoice.paid', 'hash', '{}', ?)", [ago(100)]);
      const result = await sut.app.get(RetentionService).cleanupExpiredRecords(now);
      expect(result.categories.find((c) => c.category === 'compliance_events')).toMatchObject({ hardDeleted: 1, softDeleted: 0 });
      expect((await sql('select kind from compliance_events')).map((row) => row.kind)).toEqual(['recent']);
      expect(await sql('select id from billing_events where deleted_at is null')).toEqual([{ id: 'evt_1' }]);
    });
  });

  describe('record of processing (GDPR Art. 30)', () => {
    it('should serve the record to admins only, one activity per declared table, periods from the retention table', async () => {
      expect((await sut.http.get('/api/admin/records-of-processing')).status).toBe(401);
      expect((await sut.http.get('/api/admin/records-of-processing').set({ Authorization: `Bearer ${sut.token('someone')}` })).status).toBe(403);
      const response = await sut.http.get('/api/admin/records-of-processing').set({ Authorization: `Bearer ${sut.token('ops', { admin: true })}` });
      expect(response.status).toBe(200);
      const activities = response.body.activities as Array<Record<string, unknown>>;
      expect(activities.map((activity) => activity.table)).toEqual(map.tables().map((table) => table.table));
      expect(activities.find((activity) => activity.table === 'compliance_events')).toMatchObject({
        legalBasis: 'Art. 6(1)(f) legitimate interests',
        retention: [{ category: 'compliance_events', days: RETENTION_DAYS.compliance_events, description: expect.any(String) }],
        erasure: 'delete',
        exportKey: 'complianceEvents',
      });
      expect(activities.find((activity) => activity.table === 'analyses')).toMatchObject({ recipients: ['Anthropic'] });
      expect(activities.find((activity) => activity.table === 'billing_events')).toMatchObject({
        erasure: 'pseudonymise',
        pseudonymisedColumns: ['user_id', 'payload'],
        retention: [{ category: 'billing_events', days: 365 }],
      });
      expect(response.body.redisKeys.length).toBeGreaterThan(0);
      for (const key of response.body.redisKeys as Array<{ maxTtlSeconds: number | null; erasedWithPerson: boolean }>) {
        expect(key.erasedWithPerson || (key.maxTtlSeconds !== null && key.maxTtlSeconds <= 3600)).toBe(true);
      }
    });
  });
});

describe('Personal-data map in embedded mode (PGlite)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ mode: 'embedded' });
  });
  afterAll(() => sut.close());

  it('should erase as the map says: the person only in the kept person columns, billing events pseudonymised', async () => {
    const map = sut.app.get(PersonalDataMap);
    const userId = `embedded-${randomUUID()}`;
    await plantPersonalData(sut, userId);
    const response = await sut.http.post('/api/privacy/delete-my-data').set({ Authorization: `Bearer ${sut.token(userId)}` });
    expect(response.body).toMatchObject({ ok: true, deleted: { tweets: 2, compliance_events: expect.any(Number) } });
    expect(await findPerson(sut, userId, map.tables())).toEqual([]);
    const [event] = await sqlOf(sut)<Array<{ user_id: string; payload: unknown }>>('select user_id, payload from billing_events');
    expect(event.user_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(event.payload)).not.toContain('ada@example.com');
  });
});

describe('Retention in embedded mode (PGlite)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ mode: 'embedded' });
  });
  afterAll(() => sut.close());

  it('should soft-delete expired log lines over several page ranges on its own connection, and keep the live ones', async () => {
    const sql = sqlOf(sut);
    const now = new Date();
    // Enough rows for several batches of pages, expired and live interleaved on every page.
    await sql(
      `insert into run_logs (run_id, user_id, level, message, created_at)
       select gen_random_uuid(), 'embedded-retention', 'info', 'step ' || i || ' finished: fetched 100 tweets, 0 skipped',
              case when i % 3 = 0 then ?::timestamptz else ?::timestamptz end
         from generate_series(1, 60000) i`,
      [now, new Date(now.getTime() - (RETENTION_DAYS.logs + 1) * DAY)],
    );

    const result = await sut.app.get(RetentionService).cleanupExpiredRecords(now);

    expect(result.categories.find((c) => c.category === 'logs')).toEqual({ category: 'logs', softDeleted: 40000, hardDeleted: 0 });
    expect(await sql("select count(*)::int as n from run_logs where user_id = 'embedded-retention' and deleted_at is null")).toEqual([{ n: 20000 }]);
    expect(await sql("select count(*)::int as n from run_logs where user_id = 'embedded-retention' and deleted_at is null and created_at < ?", [now])).toEqual([
      { n: 0 },
    ]);
  });
});
