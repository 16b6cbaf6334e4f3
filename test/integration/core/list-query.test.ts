// The lean list reads (ListQuery) against real PostgreSQL and embedded PGlite: rows have the
// entity's shape and types, keyset paging returns every row exactly once across pages even when
// rows share a timestamp, and other users' and soft-deleted rows never show. The statement is
// parameterised, fires knex's query event (Monitoring counts it), reads inside the context's
// transaction and gives its pooled connection back when it fails.
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_POOL_MAX, EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/core/database/embedded-postgres';
import { listQuery } from '../../../src/core/database/list-query';
import { buildOrmOptions } from '../../../src/core/database/orm-options';
import { ENTITIES } from '../../../src/entities';
import { Analysis } from '../../../src/modules/analysis/entities/analysis.entity';
import { AnalysisDto } from '../../../src/modules/analysis/dto/analysis.dto';
import { TEST_DATABASE_URL } from '../../utils/test-env';

const FIELDS = AnalysisDto.FIELDS;

describe.each(['server', 'embedded'] as const)('ListQuery (%s mode)', (mode) => {
  let orm: MikroORM;
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  const owner = `list-query-${mode}-${randomUUID()}`;
  const base = new Date('2026-03-01T10:00:00.000Z');

  beforeAll(async () => {
    if (mode === 'embedded') {
      dataDir = mkdtempSync(join(tmpdir(), 'repazoo-list-query-'));
      embedded = await startEmbeddedPostgres(dataDir);
      orm = await MikroORM.init(buildOrmOptions({ clientUrl: embedded.url, entities: ENTITIES, poolMax: EMBEDDED_POOL_MAX }));
      await orm.getMigrator().up();
    } else {
      orm = await MikroORM.init(buildOrmOptions({ clientUrl: TEST_DATABASE_URL, entities: ENTITIES }));
    }
    // Seven analyses of the owner; three share one timestamp, so paging must break the tie by id.
    const times = [0, 1, 2, 2, 2, 3, 4].map((minutes) => new Date(base.getTime() + minutes * 60_000));
    const em = orm.em.fork();
    for (const [index, createdAt] of times.entries()) em.create(Analysis, analysis(owner, createdAt, index));
    em.create(Analysis, analysis(`${owner}-other`, base, 99));
    em.create(Analysis, { ...analysis(owner, base, 98), deletedAt: base });
    await em.flush();
  }, 60_000);

  afterAll(async () => {
    await orm.em.fork().nativeDelete(Analysis, { userId: { $like: `${owner}%` } });
    await orm.close();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function page(limit: number, before?: Pick<Analysis, 'createdAt' | 'id'>) {
    return listQuery(orm.em.fork(), Analysis, FIELDS).ownedBy(owner).newestFirst('createdAt', 'id', limit, before).rows();
  }

  it('should map rows to the entity shape: property names, Dates and parsed JSON, only the fields asked for', async () => {
    const [newest] = await page(1);

    expect(Object.keys(newest).sort()).toEqual([...FIELDS].sort());
    expect(newest.createdAt).toBeInstanceOf(Date);
    expect(newest.createdAt.toISOString()).toBe('2026-03-01T10:04:00.000Z');
    expect(newest.tweets).toEqual([{ tweetId: 't6', sentiment: 'positive', score: 0.5 }]);
    expect(newest.score).toBe(0.25);
    expect(newest.summary).toBe('summary 6');
  });

  it('should page newest first through tied timestamps, each row exactly once, without others’ or deleted rows', async () => {
    const everything = await page(100);
    const seen: string[] = [];
    let before: Pick<Analysis, 'createdAt' | 'id'> | undefined;
    for (;;) {
      const rows = await page(2, before);
      seen.push(...rows.map((row) => row.id));
      if (rows.length < 2) break;
      before = rows[rows.length - 1];
    }

    expect(everything.map((row) => row.summary).slice(0, 2)).toEqual(['summary 6', 'summary 5']);
    expect(everything).toHaveLength(7);
    expect(seen).toEqual(everything.map((row) => row.id));
    const times = everything.map((row) => row.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const tied = everything.filter((row) => row.createdAt.getTime() === base.getTime() + 2 * 60_000).map((row) => row.id);
    expect(tied).toEqual([...tied].sort().reverse());
  });

  it('should send parameterised SQL, values never in its text, and fire knex\'s query event for it', async () => {
    const hostile = `${owner}'); drop table analyses; --`;
    const seen: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (query: { sql: string; bindings: unknown[] }) => seen.push(query);
    const knex = orm.em.getConnection().getKnex();
    knex.on('query', listener);
    try {
      expect(await listQuery(orm.em.fork(), Analysis, FIELDS).ownedBy(hostile).newestFirst('createdAt', 'id', 5).rows()).toEqual([]);
    } finally {
      knex.removeListener('query', listener);
    }

    expect(seen).toHaveLength(1);
    expect(seen[0].sql).toBe(
      'select "id", "run_id", "provider", "model", "overall", "score", "summary", "tweet_count", "tweets", "created_at" from "analyses" ' +
        'where "user_id" = $1 and "deleted_at" is null order by "created_at" desc, "id" desc limit $2',
    );
    expect(seen[0].bindings).toEqual([hostile, 5]);
    expect(await page(100)).toHaveLength(7);
  });

  it('should read inside the context\'s transaction, seeing its uncommitted rows', async () => {
    // Another connection would not see the uncommitted row (and embedded PGlite, one session at a
    // time, would wait for the transaction to end: a hang).
    let insideCount = -1;
    await orm.em
      .fork()
      .transactional(async (tx) => {
        await tx.insert(Analysis, analysis(owner, new Date(base.getTime() + 60 * 60_000), 50));
        insideCount = (await listQuery(tx, Analysis, FIELDS).ownedBy(owner).newestFirst('createdAt', 'id', 100).rows()).length;
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));

    expect(insideCount).toBe(8);
    expect(await page(100)).toHaveLength(7);
  });

  it('should give its connection back to the pool when the statement fails', async () => {
    const failing = () => listQuery(orm.em.fork(), Analysis, FIELDS).ownedBy(owner).where('createdAt', '<', 'not a time').rows();
    // More failures than the pool has connections: a leaked connection would make the last reads wait forever.
    for (let i = 0; i < 12; i += 1) await expect(failing()).rejects.toThrow(/invalid input syntax for type timestamp/);

    expect(await page(100)).toHaveLength(7);
  });

  it('should narrow by comparisons: rows at or after a time, before another', async () => {
    const rows = await listQuery(orm.em.fork(), Analysis, FIELDS)
      .ownedBy(owner)
      .where('createdAt', '>=', new Date(base.getTime() + 60_000))
      .where('createdAt', '<', new Date(base.getTime() + 3 * 60_000))
      .newestFirst('createdAt', 'id', 100)
      .rows();

    expect(rows.map((row) => row.summary).sort()).toEqual(['summary 1', 'summary 2', 'summary 3', 'summary 4']);
  });

  it('should log its statement in the ORM\'s query log when that is on, values left out', async () => {
    const logged: string[] = [];
    const clientUrl = embedded?.url ?? TEST_DATABASE_URL;
    const debugOrm = await MikroORM.init({ ...buildOrmOptions({ clientUrl, entities: ENTITIES, poolMax: 1 }), debug: ['query'], logger: (message: string) => logged.push(message) });
    try {
      expect(await listQuery(debugOrm.em.fork(), Analysis, FIELDS).ownedBy(owner).newestFirst('createdAt', 'id', 3).rows()).toHaveLength(3);
      await expect(listQuery(debugOrm.em.fork(), Analysis, FIELDS).ownedBy(owner).where('createdAt', '<', 'not a time').rows()).rejects.toThrow();
    } finally {
      await debugOrm.close();
    }

    const lines = logged.filter((line) => line.includes('from "analyses"'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"user_id" = $1');
    expect(lines[0]).toMatch(/3 results/);
    expect(lines.join('\n')).not.toContain(owner);
  });

  it('should refuse a property that is not a column', () => {
    const list = listQuery(orm.em.fork(), Analysis, FIELDS);
    expect(() => list.column('nope' as keyof Analysis & string)).toThrow('Analysis.nope is not a single-column property');
  });
});

function analysis(userId: string, createdAt: Date, index: number) {
  return {
    id: randomUUID(),
    userId,
    runId: randomUUID(),
    provider: 'local' as const,
    model: 'lexicon',
    overall: 'positive' as const,
    score: 0.25,
    summary: `summary ${index}`,
    tweetCount: 1,
    tweets: [{ tweetId: `t${index}`, sentiment: 'positive' as const, score: 0.5 }],
    createdAt,
  };
}
