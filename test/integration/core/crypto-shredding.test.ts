// Crypto-shredding (issue 23) against real PostgreSQL: a content backup taken before an erasure
// (pg_dump, as the README says: `--exclude-table-data=data_keys`) and restored into a fresh
// database holds the erased person's rows, but none of their content can be read with the app's
// keys (ENCRYPTION_KEYS and the live data_keys), while everyone else's still can.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ContentDecryptionError, isSealed, openContent } from '../../../src/core/crypto/content-cipher';
import { DataKeys } from '../../../src/core/crypto/data-keys';
import { PersonalDataMap } from '../../../src/core/personal-data';
import { plantedTweetText, plantPersonalData } from '../../utils/plant-personal-data';
import { startTestApp, TestApp } from '../../utils/test-app';
import { TEST_DATABASE_NAME, TEST_DATABASE_URL, TEST_POSTGRES_ADMIN_URL } from '../../utils/test-env';

const RESTORED_DATABASE = `${TEST_DATABASE_NAME}_restored`;
const RESTORED_URL = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${RESTORED_DATABASE}`);

interface ReadOutcome {
  rows: number;
  sealed: number;
  readable: string[];
  unreadable: number;
}

describe('Crypto-shredding: a backup taken before an erasure', () => {
  let sut: TestApp;
  let dir: string;

  beforeAll(async () => {
    sut = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'repazoo-shred-'));
  });
  afterAll(async () => {
    await sut.close();
    rmSync(dir, { recursive: true, force: true });
    await withAdmin((admin) => admin.query(`drop database if exists "${RESTORED_DATABASE}" with (force)`));
  });

  async function withAdmin(fn: (admin: Client) => Promise<unknown>): Promise<void> {
    const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await fn(admin);
    } finally {
      await admin.end();
    }
  }

  /** Every sealed content column of the map, read from `db` and opened with the app's keys. */
  async function readContent(db: Client, userId: string): Promise<ReadOutcome> {
    const dataKeys = sut.app.get(DataKeys, { strict: false });
    dataKeys.forget(userId);
    const key = await dataKeys.forRead(userId, [], { fresh: true });
    const outcome: ReadOutcome = { rows: 0, sealed: 0, readable: [], unreadable: 0 };
    for (const table of sut.app.get(PersonalDataMap, { strict: false }).tables()) {
      const columns = [...(table.encrypted ?? []), ...(table.encryptedJson ?? [])];
      if (columns.length === 0) continue;
      const { rows } = await db.query<Record<string, unknown>>(`select id::text as id, ${columns.join(', ')} from ${table.table} where ${table.person.column} = $1`, [userId]);
      outcome.rows += rows.length;
      for (const row of rows) {
        for (const column of columns) {
          const stored = row[column];
          if (typeof stored !== 'string') continue;
          if (isSealed(stored)) outcome.sealed += 1;
          try {
            outcome.readable.push(openContent(key, table.table, column, String(row.id), stored));
          } catch (error) {
            if (!(error instanceof ContentDecryptionError)) throw error;
            outcome.unreadable += 1;
          }
        }
      }
    }
    return outcome;
  }

  it('should leave none of the erased person’s content readable in the restored dump, and all of anyone else’s', async () => {
    await sut.resetDatabase();
    for (const userId of ['alice', 'bob']) {
      await plantPersonalData(sut, userId);
      const ticket = await sut.http
        .post('/api/support/tickets')
        .set('Authorization', `Bearer ${sut.token(userId)}`)
        .send({ subject: `Private subject of ${userId}`, body: `The words ${userId} wrote to support` });
      expect(ticket.status).toBe(201);
    }

    // The content backup, taken before the erasure.
    const dump = join(dir, 'before-erasure.sql');
    execFileSync('pg_dump', ['--no-owner', '--exclude-table-data=data_keys', '--file', dump, TEST_DATABASE_URL]);
    const dumped = readFileSync(dump, 'utf8');
    expect(dumped).toContain('COPY public.twitter_data');
    // Sealed in the dump too: the backup itself holds no plain content of anyone.
    for (const userId of ['alice', 'bob']) {
      expect(dumped).not.toContain(`Private subject of ${userId}`);
      expect(dumped).not.toContain(plantedTweetText('101', userId));
    }

    const erased = await sut.http.post('/api/privacy/delete-my-data').set('Authorization', `Bearer ${sut.token('alice')}`);
    expect(erased.status).toBe(200);
    expect(erased.body.ok).toBe(true);
    const live = await sut.em().getConnection().execute<Array<{ user_id: string }>>('select user_id from data_keys order by user_id');
    expect(live.map((row) => row.user_id)).toEqual(['bob']);

    await withAdmin(async (admin) => {
      await admin.query(`drop database if exists "${RESTORED_DATABASE}" with (force)`);
      await admin.query(`create database "${RESTORED_DATABASE}"`);
    });
    execFileSync('psql', ['--quiet', '--set', 'ON_ERROR_STOP=1', '--file', dump, RESTORED_URL], { stdio: ['ignore', 'ignore', 'pipe'] });

    const restored = new Client({ connectionString: RESTORED_URL });
    await restored.connect();
    try {
      const alice = await readContent(restored, 'alice');
      // The backup still holds alice's rows (tweets, analysis, tickets, ...), all sealed, none readable.
      expect(alice.rows).toBeGreaterThanOrEqual(4);
      expect(alice.sealed).toBeGreaterThanOrEqual(6);
      expect(alice.readable).toEqual([]);
      expect(alice.unreadable).toBe(alice.sealed);

      const bob = await readContent(restored, 'bob');
      expect(bob.unreadable).toBe(0);
      expect(bob.readable).toEqual(
        expect.arrayContaining([plantedTweetText('101', 'bob'), plantedTweetText('102', 'bob'), 'Private subject of bob', 'The words bob wrote to support', 'upbeat']),
      );
    } finally {
      await restored.end();
    }
  });

  it('should refuse a sealed value copied onto another row or person', async () => {
    await sut.resetDatabase();
    await plantPersonalData(sut, 'carol');
    await plantPersonalData(sut, 'dave');
    const sql = (query: string, params: unknown[] = []) => sut.em().getConnection().execute<Array<Record<string, string>>>(query, params);
    const [carol101] = await sql("select text from twitter_data where user_id = 'carol' and tweet_id = '101'");
    // Carol's sealed text moved onto her other tweet, and onto dave's: neither opens.
    await sql("update twitter_data set text = ? where user_id in ('carol', 'dave') and tweet_id = '102'", [carol101.text]);
    for (const userId of ['carol', 'dave']) {
      const response = await sut.http.get('/api/twitter/tweets').set('Authorization', `Bearer ${sut.token(userId)}`);
      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toContain('tweet 101');
    }
  });
});
