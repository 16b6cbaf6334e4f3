import { createHash } from 'node:crypto';
import { AuditService, canonicalJson } from '../../src/core/audit/audit.service';
import { startTestApp, TestApp } from '../utils/test-app';

const TICKETS = '/api/support/tickets';

describe('HTTP contract: validation, limits, errors', () => {
  let sut: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    sut = await startTestApp();
    auth = { Authorization: `Bearer ${sut.token('contract-user')}` };
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  const ticketCount = async () => Number((await sut.em().getConnection().execute('select count(*)::int as n from support_tickets'))[0].n);

  it('should create a ticket from a valid body', async () => {
    const response = await sut.http.post(TICKETS).set(auth).send({ subject: 'Export', body: 'Where is my export?' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ subject: 'Export', body: 'Where is my export?', status: 'open' });
    expect(await ticketCount()).toBe(1);
  });

  it('should name the field when a type is wrong', async () => {
    const response = await sut.http.post(TICKETS).set(auth).send({ subject: 42, body: 'x' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.message).toContain('subject must be a string');
    expect(await ticketCount()).toBe(0);
  });

  it('should name a missing field and refuse unknown fields', async () => {
    const missing = await sut.http.post(TICKETS).set(auth).send({ subject: 'only subject' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('body');
    const unknown = await sut.http.post(TICKETS).set(auth).send({ subject: 's', body: 'b', isAdmin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('property isAdmin should not exist');
    expect(await ticketCount()).toBe(0);
  });

  it('should answer 400 MALFORMED_JSON to broken JSON', async () => {
    const response = await sut.http.post(TICKETS).set(auth).set('Content-Type', 'application/json').send('{"subject": "x",');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' });
  });

  it('should answer 413 to a body over 1 MB and write nothing', async () => {
    const response = await sut.http
      .post(TICKETS)
      .set(auth)
      .send({ subject: 'big', body: 'x'.repeat(1024 * 1024 + 10) });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await ticketCount()).toBe(0);
  });

  it('should answer 404 with the error shape for an unknown route', async () => {
    const response = await sut.http.get('/api/nope').set(auth);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('should list only the caller’s own tickets', async () => {
    await sut.http.post(TICKETS).set(auth).send({ subject: 'mine', body: 'mine' });
    await sut.http
      .post(TICKETS)
      .set({ Authorization: `Bearer ${sut.token('someone-else')}` })
      .send({ subject: 'theirs', body: 'theirs' });
    const response = await sut.http.get(TICKETS).set(auth);
    expect(response.body.map((ticket: { subject: string }) => ticket.subject)).toEqual(['mine']);
  });

  it('should keep API answers out of every cache: no-store and no ETag, errors included', async () => {
    await sut.http.post(TICKETS).set(auth).send({ subject: 'mine', body: 'mine' });

    const list = await sut.http.get(TICKETS).set(auth);
    const refused = await sut.http.get(TICKETS);

    expect([list.status, refused.status]).toEqual([200, 401]);
    for (const response of [list, refused]) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.etag).toBeUndefined();
    }
  });

  it('should answer 500 with a correlation id and log the stack when something unexpected breaks', async () => {
    await sut.em().getConnection().execute('alter table support_tickets rename to support_tickets_gone');
    try {
      const response = await sut.http.get(TICKETS).set(auth);
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        statusCode: 500,
        code: 'INTERNAL_ERROR',
        message: 'An unexpected error occurred',
        correlationId: expect.any(String),
      });
      const logged = sut.logs.find((line) => line.includes(response.body.correlationId) && line.includes('Unhandled error'));
      expect(logged).toBeDefined();
      expect(logged).toContain('stack');
    } finally {
      await sut.em().getConnection().execute('alter table support_tickets_gone rename to support_tickets');
    }
  });
});

describe('Audit chain', () => {
  let sut: TestApp;
  let audit: AuditService;
  const admin = () => ({ Authorization: `Bearer ${sut.token('auditor', { admin: true })}` });

  beforeAll(async () => {
    sut = await startTestApp();
    audit = sut.app.get(AuditService);
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  async function writeEntries(count: number) {
    for (let i = 0; i < count; i += 1) {
      await audit.audit(`user-${i % 2}`, 'Test action', 'test', { step: i, nested: { b: 2, a: 1 } });
    }
  }

  it('should verify an intact chain', async () => {
    await writeEntries(5);
    const response = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(response.body).toEqual({ valid: true, checked: 5, recordedHead: null });
  });

  it('should find an entry whose details were changed', async () => {
    await writeEntries(5);
    await sut.em().getConnection().execute(`update audit_log set details = '{"step": 99}' where id = 3`);
    const response = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(response.body).toEqual({ valid: false, checked: 2, brokenAt: { id: '3', reason: 'hash_mismatch' }, recordedHead: null });
  });

  it('should find a removed entry', async () => {
    await writeEntries(5);
    await sut.em().getConnection().execute('delete from audit_log where id = 2');
    const response = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(response.body).toEqual({ valid: false, checked: 1, brokenAt: { id: '3', reason: 'link_mismatch' }, recordedHead: null });
  });

  it('should key every hash with AUDIT_KEY, so a consistent rewrite without the key is found', async () => {
    await writeEntries(3);
    const rows = await sut.em().getConnection().execute<{ id: string; hash: string }[]>('select id::text as id, hash from audit_log order by id');
    expect(rows.every((row) => /^k1:[0-9a-f]{64}$/.test(row.hash))).toBe(true);
    // Whoever can write the table but lacks the key rewrites entry 2 and every later hash with
    // plain SHA-256, the way the chain was hashed before it was keyed.
    await sut.em().getConnection().execute(`update audit_log set details = '{"step": 99}' where id = 2`);
    const rewritten = await sut.em().getConnection().execute<Record<string, unknown>[]>('select id::text as id, user_id, action, category, details, created_at, prev_hash from audit_log where id >= 2 order by id');
    let previous = rows[0].hash;
    for (const row of rewritten) {
      const canonical = canonicalJson([row.id, row.user_id, row.action, row.category, row.details, new Date(row.created_at as string).toISOString(), previous]);
      const hash = createHash('sha256').update(canonical).digest('hex');
      await sut.em().getConnection().execute('update audit_log set prev_hash = ?, hash = ? where id = ?', [previous, hash, row.id]);
      previous = hash;
    }

    const response = await sut.http.get('/api/admin/audit/verify').set(admin());

    expect(response.body).toEqual({ valid: false, checked: 1, brokenAt: { id: '2', reason: 'unkeyed_after_keyed' }, recordedHead: null });
  });

  it('should record the chain head outside the database at each retention run, and find a chain that no longer has it', async () => {
    await writeEntries(3);
    const run = await sut.http.post('/api/admin/retention/run').set(admin());
    expect(run.status).toBe(200);
    const [head] = await sut.em().getConnection().execute<{ id: string; hash: string }[]>('select id::text as id, hash from audit_log order by id desc limit 1');
    expect(sut.logs.some((line) => line.includes('audit chain head recorded') && line.includes(head.hash))).toBe(true);
    const metrics = await sut.http.get('/metrics').set(admin());
    expect(metrics.text).toContain(`repazoo_audit_chain_head{hash="${head.hash}"} ${head.id}`);
    const intact = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(intact.body).toMatchObject({ valid: true, recordedHead: { id: head.id, hash: head.hash, matches: true } });

    // Someone cuts the newest part of the chain off (or rebuilds it with the key): what is left is
    // consistent, but the head recorded outside the database is gone.
    await sut.em().getConnection().execute('delete from audit_log where id >= ?', [head.id]);
    const rebuilt = await sut.http.get('/api/admin/audit/verify').set(admin());

    expect(rebuilt.body).toMatchObject({ valid: false, recordedHead: { id: head.id, matches: false } });
    expect(rebuilt.body.brokenAt).toBeUndefined();
  });

  it('should keep the chain intact under concurrent writers', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit.audit('busy', 'Concurrent', 'test', { i })));
    const report = await audit.verifyAuditChain();
    expect(report).toEqual({ valid: true, checked: 20, recordedHead: null });
  });

  it('should redact personal data in audit details and show users only their own entries', async () => {
    await audit.audit('reader', 'Contacted', 'test', { note: 'mail jane.doe@example.com', password: 'hunter2' });
    await audit.audit('other', 'Contacted', 'test', {});
    const response = await sut.http.get('/api/privacy/audit').set({ Authorization: `Bearer ${sut.token('reader')}` });
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(1);
    expect(response.body[0].details).toEqual({ note: 'mail [EMAIL]', password: '[SECRET]' });
  });
});

describe('Inbound throttling', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { HTTP_REQUESTS_PER_MINUTE: '3' } });
  });
  afterAll(() => sut.close());

  it('should answer 429 with Retry-After once a user passes the per-minute limit', async () => {
    const auth = { Authorization: `Bearer ${sut.token(`throttled-${Date.now()}`)}` };
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i += 1) {
      last = await sut.http.get('/api/support/tickets').set(auth);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
  });
});
