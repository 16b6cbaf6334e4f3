// The migrations on a fresh database, in server mode (PostgreSQL) and embedded mode (PGlite): they
// build exactly the schema the entities describe, and the table keeps at most one open alert per
// (kind, subject), resolving the duplicates an older release may have left (the oldest stays open).
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_POOL_MAX, EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/core/database/embedded-postgres';
import { buildOrmOptions } from '../../../src/core/database/orm-options';
import { ENTITIES } from '../../../src/entities';
import { TEST_DATABASE_URL } from '../../utils/test-env';

jest.setTimeout(120_000);

const FIRST_MIGRATION = 'Migration20261122072513';
const ALERTS_UNIQUE_MIGRATION = 'Migration20261203103615';

/** A database of this test's own: a new one on the test server, or a new PGlite directory. */
interface FreshDatabase {
  orm: MikroORM;
  dispose(): Promise<void>;
}

async function freshDatabase(mode: 'server' | 'embedded'): Promise<FreshDatabase> {
  if (mode === 'embedded') {
    const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-migrations-'));
    const embedded: EmbeddedPostgres = await startEmbeddedPostgres(dataDir);
    const orm = await MikroORM.init(buildOrmOptions({ clientUrl: embedded.url, entities: ENTITIES, poolMax: EMBEDDED_POOL_MAX }));
    return {
      orm,
      async dispose() {
        await orm.close();
        await embedded.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `repazoo_migrations_test_${randomUUID().replace(/-/g, '')}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const orm = await MikroORM.init(buildOrmOptions({ clientUrl: url.toString(), entities: ENTITIES }));
  return {
    orm,
    async dispose() {
      await orm.close();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

async function insertAlert(orm: MikroORM, kind: string, subject: string, status: 'open' | 'resolved', firstSeenAt: string): Promise<string> {
  const id = randomUUID();
  await orm.em
    .getConnection()
    .execute(
      `insert into alerts (id, kind, severity, subject, status, message, count, first_seen_at, last_seen_at) values (?, ?, 'warning', ?, ?, 'm', 1, ?, ?)`,
      [id, kind, subject, status, firstSeenAt, firstSeenAt],
    );
  return id;
}

async function openAlertIds(orm: MikroORM, kind: string): Promise<string[]> {
  const rows = await orm.em.getConnection().execute<{ id: string }[]>(`select id from alerts where kind = ? and status = 'open' order by id`, [kind]);
  return rows.map((row) => row.id);
}

describe.each(['server', 'embedded'] as const)('Migrations (%s mode)', (mode) => {
  let database: FreshDatabase;

  beforeEach(async () => {
    database = await freshDatabase(mode);
  });
  afterEach(async () => {
    await database?.dispose();
  });

  it('should build exactly the schema the entities describe', async () => {
    await database.orm.getMigrator().up();

    expect(await database.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('should allow one open alert per kind and subject, and any number of resolved ones', async () => {
    const { orm } = database;
    await orm.getMigrator().up();
    await insertAlert(orm, 'rate_limit_violations', '****abcd', 'open', '2026-12-01T00:00:00Z');
    await insertAlert(orm, 'rate_limit_violations', '****abcd', 'resolved', '2026-11-01T00:00:00Z');
    await insertAlert(orm, 'rate_limit_violations', '****abcd', 'resolved', '2026-11-02T00:00:00Z');
    await insertAlert(orm, 'rate_limit_violations', '****wxyz', 'open', '2026-12-01T00:00:00Z');

    const duplicate = insertAlert(orm, 'rate_limit_violations', '****abcd', 'open', '2026-12-02T00:00:00Z');

    await expect(duplicate).rejects.toMatchObject({ code: '23505' });
    expect(await openAlertIds(orm, 'rate_limit_violations')).toHaveLength(2);
  });

  it('should resolve open duplicates left by an older release, keeping the oldest open', async () => {
    const { orm } = database;
    await orm.getMigrator().up({ to: FIRST_MIGRATION });
    const newer = await insertAlert(orm, 'token_refresh_failures', '****abcd', 'open', '2026-12-02T00:00:00Z');
    const oldest = await insertAlert(orm, 'token_refresh_failures', '****abcd', 'open', '2026-12-01T00:00:00Z');
    const newest = await insertAlert(orm, 'token_refresh_failures', '****abcd', 'open', '2026-12-03T00:00:00Z');
    const alone = await insertAlert(orm, 'token_refresh_failures', '****wxyz', 'open', '2026-12-03T00:00:00Z');

    const applied = await orm.getMigrator().up();

    expect(applied.map((migration) => migration.name)).toContain(ALERTS_UNIQUE_MIGRATION);
    expect(await openAlertIds(orm, 'token_refresh_failures')).toEqual([oldest, alone].sort());
    const resolved = await orm.em
      .getConnection()
      .execute<{ id: string; resolved_at: Date | null }[]>(`select id, resolved_at from alerts where status = 'resolved' order by id`);
    expect(resolved.map((row) => row.id)).toEqual([newer, newest].sort());
    expect(resolved.every((row) => row.resolved_at !== null)).toBe(true);
  });
});
