// Crypto-shredding (issue 23) against real PostgreSQL: a content backup taken before an erasure
// (pg_dump, as the README says: `--exclude-table-data=data_keys`) and restored into a fresh
// database holds the erased person's rows, but none of their content can be read with the app's
// keys (ENCRYPTION_KEYS and the live data_keys), while everyone else's still can.
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ContentDecryptionError, isSealed, openContent } from '../../../src/core/crypto/content-cipher';
import { DataKeys } from '../../../src/core/crypto/data-keys';
import { PersonalDataMap } from '../../../src/core/personal-data';
import { plantedTweetText, plantPersonalData } from '../../utils/plant-personal-data';
import { startTestApp, TestApp } from '../../utils/test-app';
import { TEST_DATABASE_NAME, TEST_DATABASE_URL, TEST_POSTGRES_ADMIN_URL, TEST_SECRETS_ENV } from '../../utils/test-env';

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

  it('should seal rows written before encryption with encrypt-content, resumably, with progress on stderr', async () => {
    await sut.resetDatabase();
    const sql = (query: string, params: unknown[] = []) => sut.em().getConnection().execute<Array<Record<string, string>>>(query, params);
    const now = new Date();
    for (const [index, text] of ['old tweet one of erin', 'old tweet two of erin', 'old tweet three of erin'].entries()) {
      await sql('insert into twitter_data (id, user_id, tweet_id, text, tweet_created_at, fetched_at) values (?, ?, ?, ?, ?, ?)', [
        randomUUID(), 'erin', String(200 + index), text, new Date(now.getTime() - index * 1000), now,
      ]);
    }
    await sql("insert into support_tickets (id, user_id, subject, body, status, created_at) values (?, 'erin', 'Old subject', 'Old body', 'open', ?)", [randomUUID(), now]);
    await sql(
      "insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at) values (?, 'erin', ?, 'local', 'lexicon', 'positive', 0.5, 'Old summary', 1, ?, ?)",
      [randomUUID(), randomUUID(), JSON.stringify([{ tweetId: '200', sentiment: 'positive', score: 0.5 }]), now],
    );

    const cli = () =>
      promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', '..', '..', 'src', 'cli.ts'), 'encrypt-content', '--batch-size', '2'], {
        cwd: join(__dirname, '..', '..', '..'),
        env: { ...process.env, ...TEST_SECRETS_ENV, NODE_ENV: 'test', DATA_DIR: dir, DATABASE_URL: TEST_DATABASE_URL },
      });
    const first = await cli();
    expect(first.stderr).toContain('encrypt-content: twitter_data batch 1: 2 rows sealed (2 so far)');
    expect(first.stderr).toContain('encrypt-content: twitter_data batch 2: 1 rows sealed (3 so far)');
    expect(first.stdout).toContain('twitter_data: 3 rows sealed');
    expect(first.stdout).toContain('support_tickets: 1 rows sealed');
    expect(first.stdout).toContain('analyses: 1 rows sealed');

    const stored = await sql("select text from twitter_data where user_id = 'erin' order by tweet_id");
    expect(stored.map((row) => row.text)).toEqual([expect.stringMatching(/^c1:/), expect.stringMatching(/^c1:/), expect.stringMatching(/^c1:/)]);
    const [analysis] = await sql("select summary, tweets from analyses where user_id = 'erin'");
    expect(analysis.summary).toMatch(/^c1:/);
    expect(analysis.tweets).toMatch(/^c1:/);

    // Read back through the API, as the person sees it.
    sut.app.get(DataKeys, { strict: false }).forget('erin');
    const auth = { Authorization: `Bearer ${sut.token('erin')}` };
    const tweets = await sut.http.get('/api/twitter/tweets').set(auth);
    expect(tweets.body.map((tweet: { text: string }) => tweet.text)).toEqual(['old tweet one of erin', 'old tweet two of erin', 'old tweet three of erin']);
    const tickets = await sut.http.get('/api/support/tickets').set(auth);
    expect(tickets.body.map((ticket: { subject: string; body: string }) => [ticket.subject, ticket.body])).toEqual([['Old subject', 'Old body']]);
    const analyses = await sut.http.get('/api/analysis').set(auth);
    expect(analyses.body[0]).toMatchObject({ summary: 'Old summary', tweets: [{ tweetId: '200', sentiment: 'positive', score: 0.5 }] });

    // Run again: nothing is left to seal, and nothing is sealed twice.
    const second = await cli();
    expect(second.stdout).toContain('twitter_data: 0 rows sealed');
    expect((await sql("select text from twitter_data where user_id = 'erin' order by tweet_id")).map((row) => row.text)).toEqual(stored.map((row) => row.text));
  });
});
