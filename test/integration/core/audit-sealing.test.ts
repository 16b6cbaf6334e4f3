// The audit log without a global lock, against real PostgreSQL (with Redis for the sealer lock and
// the recorded head) and embedded PGlite: entries appended from many concurrent transactions, some
// rolled back, are all sealed exactly once with no gap; an entry that commits after a higher one is
// not left behind by the sealer; verify finds a changed, removed or inserted entry or batch and a
// head recorded outside the database that the batches no longer have; a proof checks out against
// the batch root without the log.
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditHeadStore } from '../../../src/core/audit/audit-head.store';
import { AUDIT_LEAF_TEXT_SQL } from '../../../src/core/audit/audit-hashing';
import { AuditSealer, MAX_BATCH_LEAVES } from '../../../src/core/audit/audit-sealer.service';
import { AuditRepository } from '../../../src/core/audit/audit.repository';
import { AuditService } from '../../../src/core/audit/audit.service';
import { verifyInclusionProof } from '../../../src/core/audit/merkle-tree';
import { SystemClock } from '../../../src/core/clock/clock';
import { AppConfig } from '../../../src/core/config/app-config';
import { EMBEDDED_POOL_MAX, EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/core/database/embedded-postgres';
import { buildOrmOptions } from '../../../src/core/database/orm-options';
import { InProcessLockService } from '../../../src/core/locks/lock.service';
import { RedisLockService } from '../../../src/core/locks/redis-lock.service';
import { ENTITIES } from '../../../src/entities';
import { TEST_AUDIT_KEY, TEST_DATABASE_URL, TEST_REDIS_URL } from '../../utils/test-env';

interface Harness {
  orm: MikroORM;
  service: AuditService;
  sealer: AuditSealer;
  /** A second sealer, as on another instance: same database, same lock store. */
  otherSealer: AuditSealer;
  heads: AuditHeadStore;
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
}

describe.each(['server', 'embedded'] as const)('Audit sealing (%s mode)', (mode) => {
  let harness: Harness;
  let embedded: EmbeddedPostgres | undefined;
  let redis: Redis | null = null;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'repazoo-audit-'));
    let orm: MikroORM;
    if (mode === 'embedded') {
      embedded = await startEmbeddedPostgres(dataDir);
      orm = await MikroORM.init(buildOrmOptions({ clientUrl: embedded.url, entities: ENTITIES, poolMax: EMBEDDED_POOL_MAX }));
      await orm.getMigrator().up();
    } else {
      orm = await MikroORM.init(buildOrmOptions({ clientUrl: TEST_DATABASE_URL, entities: ENTITIES, poolMax: 20 }));
      redis = new Redis(TEST_REDIS_URL);
    }
    const config = { auditKey: TEST_AUDIT_KEY, auditSealIntervalMs: 0, dataDir } as AppConfig;
    const clock = new SystemClock();
    const em = orm.em as EntityManager;
    const repository = new AuditRepository(em);
    const heads = new AuditHeadStore(redis, config);
    const locks = () => (redis ? new RedisLockService(redis, { keyPrefix: `audit-test-${process.pid}:` }) : new InProcessLockService());
    const sharedLocks = locks();
    harness = {
      orm,
      heads,
      service: new AuditService(em, repository, heads, clock, config),
      sealer: new AuditSealer(em, repository, heads, sharedLocks, clock, config),
      otherSealer: new AuditSealer(em, repository, heads, redis ? locks() : sharedLocks, clock, config),
      sql: (query, params = []) => orm.em.getConnection().execute(query, params),
    };
  }, 60_000);

  beforeEach(async () => {
    await harness.sql('truncate audit_log, audit_batches restart identity');
    await harness.heads.clear();
  });

  afterAll(async () => {
    await harness.heads.clear();
    await harness.orm.close();
    redis?.disconnect();
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function write(count: number, user = 'alice') {
    for (let i = 0; i < count; i += 1) await harness.service.audit(user, 'Test action', 'test', { step: i, nested: { b: 2, a: 1 }, note: 'line one\nline two, ✓ "quoted"' });
  }

  /** Seals until nothing is left (a tick may find the lock held by the other sealer). */
  async function sealAll() {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if ((await harness.sealer.sealPending()) !== null) return;
      await sleep(20);
    }
    throw new Error('the sealer lock stayed held');
  }

  it('should seal every committed entry exactly once, with no gap, while many transactions append and some roll back', async () => {
    const writers = 40;
    let sealing = true;
    // Both "instances" seal in a loop while the writers run: the lock keeps one at a time.
    const sealers = [harness.sealer, harness.otherSealer].map(async (sealer) => {
      while (sealing) {
        await sealer.sealPending();
        await sleep(5);
      }
    });
    const outcomes = await Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        harness.orm.em
          .fork()
          .transactional(async (em) => {
            for (let i = 0; i < 5; i += 1) {
              await em.execute('select 1');
              await harness.service.audit(`writer-${writer}`, 'Concurrent', 'test', { writer, i });
              // Hold the transaction open a little, so commits interleave out of id order.
              await sleep((writer * 7 + i * 3) % 11);
            }
            if (writer % 5 === 0) throw new Error('roll back');
          })
          .then(
            () => 'committed',
            () => 'rolled back',
          ),
      ),
    );
    sealing = false;
    await Promise.all(sealers);
    await sealAll();

    const committed = outcomes.filter((outcome) => outcome === 'committed').length;
    const [{ count }] = await harness.sql<{ count: string }>('select count(*)::text as count from audit_log');
    expect(Number(count)).toBe(committed * 5);
    const batches = await harness.sql<{ first_seq: string; last_seq: string; size: number }>(
      'select first_seq::text, last_seq::text, size from audit_batches order by id',
    );
    // Ranges tile the id sequence from 1, and every entry lies in exactly one of them.
    let expectedFirst = 1n;
    for (const batch of batches) {
      expect(BigInt(batch.first_seq)).toBe(expectedFirst);
      expectedFirst = BigInt(batch.last_seq) + 1n;
    }
    expect(batches.reduce((sum, batch) => sum + Number(batch.size), 0)).toBe(committed * 5);
    const report = await harness.service.verifyAuditChain();
    expect(report).toMatchObject({ valid: true, checked: committed * 5, batches: batches.length, unsealed: { count: 0 } });
    expect(report.recordedHead).toMatchObject({ id: String(batches.length), matches: true });
  });

  it('should build the same leaf text as the jsonb form the first batches were sealed with, for awkward rows', async () => {
    const awkward = ['quote " backslash \\ slash /', 'tab\tnewline\nreturn\rformfeed\fbackspace\b', 'control \u0001\u001f del \u007f', 'é ✓ 😀 \u2028 \u00a0', ''];
    for (const [i, text] of awkward.entries()) {
      await harness.sql(
        `insert into audit_log (user_id, action, category, details, created_at) values (?, ?, ?, ?::jsonb, ?::timestamptz)`,
        [i % 2 === 0 ? null : text, text, `cat ${text}`, JSON.stringify({ [text]: [text, 1.5, -0, 1e21, 12345678901234567890, true, null, { z: { a: text } }] }), ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.1Z', '2026-01-02T03:04:05.123456Z', '1999-12-31T23:59:59.000001Z', '2026-06-30T12:00:00.5+02:00'][i]],
      );
    }
    await harness.sql(`insert into audit_log (user_id, action, category, details, created_at) values ('bob', 'scalar', 'test', '"just a string"'::jsonb, now()), ('bob', 'empty', 'test', '{}'::jsonb, now())`);
    const jsonbForm = `jsonb_build_array(audit_log.id::text, audit_log.user_id, audit_log.action, audit_log.category, audit_log.details,
      to_char(audit_log.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text`;
    const rows = await harness.sql<{ current: string; sealedWith: string }>(`select ${AUDIT_LEAF_TEXT_SQL} as current, ${jsonbForm} as "sealedWith" from audit_log order by id`);
    expect(rows).toHaveLength(awkward.length + 2);
    for (const row of rows) expect(row.current).toBe(row.sealedWith);
    expect(rows[1].current).toContain('"2026-01-02T03:04:05.100000Z"');
  });

  it('should report entries written since the last seal as unsealed, and seal them on the next run', async () => {
    await write(3);
    await sealAll();
    await write(2);

    const before = await harness.service.verifyAuditChain();
    expect(before).toMatchObject({ valid: true, checked: 3, batches: 1, unsealed: { count: 2, oldestId: '4' } });
    expect(typeof before.unsealed.oldestCreatedAt).toBe('string');

    await sealAll();
    expect(await harness.service.verifyAuditChain()).toMatchObject({ valid: true, checked: 5, batches: 2, unsealed: { count: 0, oldestId: null } });
  });

  it('should give an inclusion proof that checks out against the batch root, and refuse unknown and unsealed entries', async () => {
    await write(11);
    await sealAll();
    await write(1);

    const proof = await harness.service.proofOf('6');
    expect(proof).toMatchObject({ entryId: '6', leafIndex: 5, treeSize: 11, batch: { id: '1', firstSeq: '1', lastSeq: '11', size: 11 } });
    expect(proof.root).toBe(proof.batch.root);
    expect(verifyInclusionProof(proof, proof.root)).toBe(true);
    expect(verifyInclusionProof({ ...proof, leafIndex: 4 }, proof.root)).toBe(false);

    await expect(harness.service.proofOf('999')).rejects.toMatchObject({ code: 'AUDIT_ENTRY_NOT_FOUND', statusCode: 404 });
    await expect(harness.service.proofOf('12')).rejects.toMatchObject({ code: 'AUDIT_ENTRY_NOT_SEALED', statusCode: 409 });
    await expect(harness.service.proofOf('1e3')).rejects.toMatchObject({ code: 'AUDIT_ENTRY_NOT_FOUND', statusCode: 404 });

    await harness.sql(`update audit_log set details = '{"step": 99}' where id = 3`);
    await expect(harness.service.proofOf('6')).rejects.toMatchObject({ code: 'AUDIT_PROOF_UNAVAILABLE', statusCode: 409 });
  });

  describe('tampering', () => {
    /** Three batches of 4 entries: ids 1-4, 5-8, 9-12. */
    async function threeBatches() {
      for (let batch = 0; batch < 3; batch += 1) {
        await write(4);
        await sealAll();
      }
      expect(await harness.service.verifyAuditChain()).toMatchObject({ valid: true, checked: 12, batches: 3 });
    }

    it('should find an entry whose details were changed', async () => {
      await threeBatches();
      await harness.sql(`update audit_log set details = '{"step": 99}' where id = 6`);
      expect(await harness.service.verifyAuditChain()).toMatchObject({
        valid: false,
        checked: 4,
        brokenAt: { batchId: '2', firstSeq: '5', lastSeq: '8', reason: 'root_mismatch' },
      });
    });

    it('should find a removed entry after the first complete batch', async () => {
      await threeBatches();
      await harness.sql('delete from audit_log where id = 10');
      expect((await harness.service.verifyAuditChain()).brokenAt).toMatchObject({ batchId: '3', reason: 'root_mismatch' });
    });

    it('should find an entry inserted inside a sealed range, and count one inserted after it as unsealed', async () => {
      await threeBatches();
      await harness.sql(`insert into audit_log (id, user_id, action, category, details, created_at) values (100, 'x', 'Forged', 'test', '{}', now())`);
      expect(await harness.service.verifyAuditChain()).toMatchObject({ valid: true, unsealed: { count: 1, oldestId: '100' } });
      // The id of a rolled-back write inside batch 2's range, taken by a forged row.
      await harness.sql('delete from audit_log where id = 7');
      await harness.sql(`insert into audit_log (id, user_id, action, category, details, created_at) select 7, user_id, 'Forged', category, details, created_at from audit_log where id = 6`);
      expect((await harness.service.verifyAuditChain()).brokenAt).toMatchObject({ batchId: '2', reason: 'root_mismatch' });
    });

    it('should find a batch whose root was replaced, a removed batch and an inserted one', async () => {
      await threeBatches();
      const [second] = await harness.sql<{ root: string }>('select root from audit_batches where id = 2');
      await harness.sql("update audit_batches set root = repeat('a', 64) where id = 2");
      expect((await harness.service.verifyAuditChain()).brokenAt).toMatchObject({ batchId: '2', reason: 'batch_hash_mismatch' });
      await harness.sql('update audit_batches set root = ? where id = 2', [second.root]);

      await harness.sql('delete from audit_batches where id = 2');
      expect((await harness.service.verifyAuditChain()).brokenAt).toMatchObject({ batchId: '3', reason: 'link_mismatch' });
    });

    it('should find a batch inserted into the chain', async () => {
      await threeBatches();
      await harness.sql(
        `insert into audit_batches (id, first_seq, last_seq, size, root, prev_hash, chained_hash, sealed_at)
         select 50, 13, 20, 0, root, chained_hash, repeat('b', 64), now() from audit_batches where id = 3`,
      );
      expect((await harness.service.verifyAuditChain()).brokenAt).toMatchObject({ batchId: '50', reason: 'batch_hash_mismatch' });
    });

    it('should find batches that no longer have the head recorded outside the database', async () => {
      await threeBatches();
      const recorded = await harness.heads.load();
      expect(recorded).toMatchObject({ id: '3' });
      // Cut the newest batch and its entries off: what is left is consistent, but the recorded head is gone.
      await harness.sql('delete from audit_log where id >= 9');
      await harness.sql('delete from audit_batches where id = 3');

      const report = await harness.service.verifyAuditChain();

      expect(report).toMatchObject({ valid: false, checked: 8, recordedHead: { id: '3', matches: false } });
      expect(report.brokenAt).toBeUndefined();
    });

    it('should report leading batches emptied by retention as pruned, and keep checking the rest', async () => {
      await threeBatches();
      await harness.sql('delete from audit_log where id <= 4');

      expect(await harness.service.verifyAuditChain()).toMatchObject({
        valid: true,
        checked: 8,
        batches: 3,
        pruned: { batches: 1, throughBatchId: '1' },
      });
    });
  });

  it('should split a large backlog into batches of at most MAX_BATCH_LEAVES', async () => {
    const total = MAX_BATCH_LEAVES + 10;
    await harness.sql(
      `insert into audit_log (user_id, action, category, details, created_at)
       select 'bulk', 'Bulk', 'test', jsonb_build_object('i', i), now() from generate_series(1, ?) as i`,
      [total],
    );
    await sealAll();
    const batches = await harness.sql<{ size: number }>('select size from audit_batches order by id');
    expect(batches.map((batch) => Number(batch.size))).toEqual([MAX_BATCH_LEAVES, 10]);
    expect(await harness.service.verifyAuditChain()).toMatchObject({ valid: true, checked: total });
  });
});

describe('Audit sealing safe point (PostgreSQL, concurrent transactions)', () => {
  let orm: MikroORM;
  let service: AuditService;
  let sealer: AuditSealer;
  let heads: AuditHeadStore;
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-audit-'));

  beforeAll(async () => {
    orm = await MikroORM.init(buildOrmOptions({ clientUrl: TEST_DATABASE_URL, entities: ENTITIES }));
    const config = { auditKey: TEST_AUDIT_KEY, auditSealIntervalMs: 0, dataDir } as AppConfig;
    const repository = new AuditRepository(orm.em as EntityManager);
    heads = new AuditHeadStore(null, config);
    service = new AuditService(orm.em as EntityManager, repository, heads, new SystemClock(), config);
    sealer = new AuditSealer(orm.em as EntityManager, repository, heads, new InProcessLockService(), new SystemClock(), config);
  });

  beforeEach(() => orm.em.getConnection().execute('truncate audit_log, audit_batches restart identity'));

  afterAll(async () => {
    await orm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should not seal past an entry whose transaction is still open, even when a higher id has committed', async () => {
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve));
    let firstInserted!: () => void;
    const firstInsertedSignal = new Promise<void>((resolve) => (firstInserted = resolve));
    // Entry 1: drawn first, committed last.
    const slow = orm.em.fork().transactional(async (em) => {
      await new AuditRepository(em).insert(em, { userId: 'slow', action: 'Slow', category: 'test', details: {}, createdAt: new Date() });
      firstInserted();
      await firstMayCommit;
    });
    await firstInsertedSignal;
    await service.audit('fast', 'Fast', 'test', {}); // entry 2, committed at once

    const whileOpen = await sealer.sealPending();
    expect(whileOpen).toMatchObject({ batches: 0, entries: 0 });
    commitFirst();
    await slow;
    const afterCommit = await sealer.sealPending();

    expect(afterCommit).toMatchObject({ batches: 1, entries: 2 });
    expect(await service.verifyAuditChain()).toMatchObject({ valid: true, checked: 2, unsealed: { count: 0 } });
  });

  it('should wait for a transaction open when it looked to end, then seal', async () => {
    await service.audit('one', 'One', 'test', {});
    // A transaction that is open but has written no audit entry holds sealing up only until it ends.
    const idle = orm.em.fork().transactional(async (em) => {
      await em.execute('select pg_current_xact_id()');
      await sleep(300);
    });
    const sealed = await sealer.sealPending();
    await idle;
    expect(sealed).toMatchObject({ batches: 1, entries: 1 });
  });
});
