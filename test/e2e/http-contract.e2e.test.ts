import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_LEAF_TEXT_SQL } from '../../src/core/audit/audit-hashing';
import { AuditSealer } from '../../src/core/audit/audit-sealer.service';
import { AuditService } from '../../src/core/audit/audit.service';
import { verifyInclusionProof } from '../../src/core/audit/merkle-tree';
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

describe('Audit log: sealed batches, verification, proofs', () => {
  let sut: TestApp;
  let audit: AuditService;
  let sealer: AuditSealer;
  const admin = () => ({ Authorization: `Bearer ${sut.token('auditor', { admin: true })}` });
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => sut.em().getConnection().execute<T[]>(query, params);

  beforeAll(async () => {
    sut = await startTestApp();
    audit = sut.app.get(AuditService);
    sealer = sut.app.get(AuditSealer);
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  async function writeEntries(count: number) {
    for (let i = 0; i < count; i += 1) {
      await audit.audit(`user-${i % 2}`, 'Test action', 'test', { step: i, nested: { b: 2, a: 1 } });
    }
  }

  it('should verify intact batches and report what is not sealed yet', async () => {
    await writeEntries(5);
    await sealer.sealPending();
    await writeEntries(2);
    const response = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      valid: true,
      checked: 5,
      batches: 1,
      pruned: { batches: 0, throughBatchId: null, throughSealedAt: null },
      unsealed: { count: 2, oldestId: '6' },
      recordedHead: { id: '1', matches: true },
    });
    expect(response.body.brokenAt).toBeUndefined();
  });

  it('should find an entry whose details were changed, and one that was removed', async () => {
    await writeEntries(5);
    await sealer.sealPending();
    await sql(`update audit_log set details = '{"step": 99}' where id = 3`);
    const changed = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(changed.body).toMatchObject({ valid: false, checked: 0, brokenAt: { batchId: '1', firstSeq: '1', lastSeq: '5', reason: 'root_mismatch' } });

    await writeEntries(3);
    await sealer.sealPending();
    await sql('delete from audit_log where id = 7');
    const removed = await sut.http.get('/api/admin/audit/verify').set(admin());
    // Batch 1 still fails first; the removed entry's batch is the second.
    expect(removed.body.brokenAt).toMatchObject({ batchId: '1' });
  });

  it('should key the hashes with AUDIT_KEY, so a batch rebuilt consistently without the key is found', async () => {
    await writeEntries(3);
    await sealer.sealPending();
    // Whoever can write the tables but lacks the key changes an entry and rebuilds the batch with plain SHA-256.
    await sql(`update audit_log set details = '{"step": 99}' where id = 2`);
    const rows = await sql<{ leaf: string }>(`select ${AUDIT_LEAF_TEXT_SQL} as leaf from audit_log order by audit_log.id`);
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const leaves = rows.map((row) => sha(Buffer.from([0]), Buffer.from(row.leaf)));
    const root = sha(Buffer.from([1]), sha(Buffer.from([1]), leaves[0], leaves[1]), leaves[2]).toString('hex');
    const [batch] = await sql<{ sealed_at: string }>('select sealed_at from audit_batches');
    const chained = sha(Buffer.from([2]), Buffer.from(JSON.stringify(['1', '3', 3, root, '0'.repeat(64), new Date(batch.sealed_at).toISOString()]))).toString('hex');
    await sql('update audit_batches set root = ?, chained_hash = ?', [root, chained]);

    const response = await sut.http.get('/api/admin/audit/verify').set(admin());

    expect(response.body).toMatchObject({ valid: false, brokenAt: { batchId: '1', reason: 'batch_hash_mismatch' } });
  });

  it('should record the head outside the database at each retention run, and find batches that no longer have it', async () => {
    await writeEntries(3);
    const run = await sut.http.post('/api/admin/retention/run').set(admin());
    expect(run.status).toBe(200);
    // The retention run audits its categories; seal them, then record the head as the run does.
    await sealer.sealPending();
    await audit.recordChainHead();
    const [head] = await sql<{ id: string; chained_hash: string }>('select id::text as id, chained_hash from audit_batches order by audit_batches.id desc limit 1');
    expect(sut.logs.some((line) => line.includes('audit chain head recorded') && line.includes(head.chained_hash))).toBe(true);
    const metrics = await sut.http.get('/metrics').set(admin());
    expect(metrics.text).toContain(`repazoo_audit_chain_head{hash="${head.chained_hash}"} ${head.id}`);
    const intact = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(intact.body).toMatchObject({ valid: true, recordedHead: { id: head.id, hash: head.chained_hash, matches: true } });

    // Someone cuts the newest batch and its entries off: what is left is consistent, but the recorded head is gone.
    const [newest] = await sql<{ first_seq: string }>('select first_seq::text from audit_batches where id = ?', [head.id]);
    await sql('delete from audit_log where id >= ?', [newest.first_seq]);
    await sql('delete from audit_batches where id = ?', [head.id]);
    const rebuilt = await sut.http.get('/api/admin/audit/verify').set(admin());

    expect(rebuilt.body).toMatchObject({ valid: false, recordedHead: { id: head.id, matches: false } });
    expect(rebuilt.body.brokenAt).toBeUndefined();
  });

  it('should seal entries from concurrent writers with no gap', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit.audit('busy', 'Concurrent', 'test', { i })));
    await sealer.sealPending();
    const report = await audit.verifyAuditChain();
    expect(report).toMatchObject({ valid: true, checked: 20, unsealed: { count: 0 } });
  });

  it('should give an inclusion proof that checks against the batch root, 404 for an unknown id, 409 before sealing, 400 for a bad id', async () => {
    await writeEntries(6);
    await sealer.sealPending();
    await writeEntries(1);

    const proof = await sut.http.get('/api/admin/audit/4/proof').set(admin());
    expect(proof.status).toBe(200);
    expect(proof.body).toMatchObject({ entryId: '4', leafIndex: 3, treeSize: 6, batch: { id: '1', firstSeq: '1', lastSeq: '6', size: 6 } });
    expect(verifyInclusionProof(proof.body, proof.body.batch.root)).toBe(true);
    expect(verifyInclusionProof({ ...proof.body, leafIndex: 2 }, proof.body.batch.root)).toBe(false);

    const unknown = await sut.http.get('/api/admin/audit/999/proof').set(admin());
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'AUDIT_ENTRY_NOT_FOUND' });
    const unsealed = await sut.http.get('/api/admin/audit/7/proof').set(admin());
    expect(unsealed.status).toBe(409);
    expect(unsealed.body).toMatchObject({ code: 'AUDIT_ENTRY_NOT_SEALED' });
    for (const bad of ['0', '-1', 'abc', '1.5', '9223372036854775808', '99999999999999999999']) {
      const response = await sut.http.get(`/api/admin/audit/${bad}/proof`).set(admin());
      expect({ bad, status: response.status, code: response.body.code }).toEqual({ bad, status: 404, code: 'AUDIT_ENTRY_NOT_FOUND' });
    }
    const user = await sut.http.get('/api/admin/audit/4/proof').set({ Authorization: `Bearer ${sut.token('not-an-admin')}` });
    expect(user.status).toBe(403);
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

describe('Audit sealer in the background and at shutdown', () => {
  it('should seal new entries every AUDIT_SEAL_INTERVAL_MS, and what is left when the app stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-audit-seal-'));
    const first = await startTestApp({ mode: 'embedded', env: { DATA_DIR: dataDir, AUDIT_SEAL_INTERVAL_MS: '200' } });
    try {
      await first.app.get(AuditService).audit('alice', 'Background', 'test', {});
      const deadline = Date.now() + 10_000;
      let report = await first.app.get(AuditService).verifyAuditChain();
      while (report.unsealed.count > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        report = await first.app.get(AuditService).verifyAuditChain();
      }
      expect(report).toMatchObject({ valid: true, checked: 1, unsealed: { count: 0 } });
    } finally {
      await first.close();
    }

    const second = await startTestApp({ mode: 'embedded', env: { DATA_DIR: dataDir, AUDIT_SEAL_INTERVAL_MS: '0' } });
    try {
      await second.app.get(AuditService).audit('alice', 'Before shutdown', 'test', {});
      expect((await second.app.get(AuditService).verifyAuditChain()).unsealed.count).toBe(1);
    } finally {
      await second.close();
    }
    const third = await startTestApp({ mode: 'embedded', env: { DATA_DIR: dataDir, AUDIT_SEAL_INTERVAL_MS: '0' } });
    try {
      expect(await third.app.get(AuditService).verifyAuditChain()).toMatchObject({ valid: true, checked: 2, batches: 2, unsealed: { count: 0 }, recordedHead: { id: '2', matches: true } });
    } finally {
      await third.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
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
