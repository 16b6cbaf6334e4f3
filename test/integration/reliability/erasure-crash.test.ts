// The server killed (SIGKILL) while delete-my-data is deleting: after a restart the person's rows
// are either all there or all gone (the erasure is one transaction), and a retry erases them all.
// To kill it at a known point, the test holds a lock on `analyses`, so the erasure has already
// deleted the run logs, runs, tickets and tweets in its transaction when it waits there.
import { request } from 'node:http';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../../utils/test-env';
import { ServerProcess, sleep, startServer, stopServer } from './server-process';

jest.setTimeout(240_000);

/** The erased tables and how many rows the test plants in each, so the erasure takes a while. */
const PLANTED = { workflow_runs: 2_000, run_logs: 20_000, support_tickets: 2_000, twitter_data: 50_000, analyses: 200 } as const;

describe('delete-my-data when the server is killed mid-erasure', () => {
  let server: ServerProcess | undefined;
  let db: Client;
  const userId = `erasure-crash-${Date.now()}`;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await stopServer(server);
    await db.end();
  });

  /** One query at a time: a pg Client runs queries in turn (queueing them is deprecated in pg 8). */
  async function counts(): Promise<Record<string, number>> {
    const entries: Array<[string, number]> = [];
    for (const table of Object.keys(PLANTED)) {
      const result = await db.query<{ n: number }>(`select count(*)::int as n from ${table} where user_id = $1`, [userId]);
      entries.push([table, result.rows[0].n]);
    }
    return Object.fromEntries(entries);
  }

  function post(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${server!.baseUrl}${path}`, { method: 'POST', agent: false, headers: { Authorization: `Bearer ${server!.token(userId)}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('should leave all or nothing after the crash, and finish on a retry', async () => {
    await db.query('insert into users (id, created_at, last_seen_at) values ($1, now(), now()) on conflict do nothing', [userId]);
    await db.query(
      `insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, created_at, updated_at, finished_at)
       select gen_random_uuid(), $1, 'ingestion', 'planted', 'COMPLETED', 1, 5, now(), now(), now() from generate_series(1, $2)`,
      [userId, PLANTED.workflow_runs],
    );
    await db.query(
      `insert into run_logs (run_id, user_id, level, message, created_at)
       select gen_random_uuid(), $1, 'info', 'planted log line ' || i, now() from generate_series(1, $2) i`,
      [userId, PLANTED.run_logs],
    );
    await db.query(
      `insert into support_tickets (id, user_id, subject, body, status, created_at)
       select gen_random_uuid(), $1, 'planted', 'planted ticket ' || i, 'open', now() from generate_series(1, $2) i`,
      [userId, PLANTED.support_tickets],
    );
    await db.query(
      `insert into twitter_data (id, user_id, tweet_id, text, tweet_created_at, fetched_at)
       select gen_random_uuid(), $1, i::text, 'planted tweet ' || i, now(), now() from generate_series(1, $2) i`,
      [userId, PLANTED.twitter_data],
    );
    await db.query(
      `insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at)
       select gen_random_uuid(), $1, gen_random_uuid(), 'lexicon', 'lexicon-v1', 'neutral', 0, 'planted', 0, '[]', now() from generate_series(1, $2)`,
      [userId, PLANTED.analyses],
    );
    expect(await counts()).toEqual(PLANTED);

    server = await startServer();
    const blocker = new Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table analyses in access exclusive mode');
    const erasure = post('/api/privacy/delete-my-data').catch((error: Error) => ({ status: 0, body: error.message }));
    const deadline = Date.now() + 30_000;
    let waiting = false;
    while (!waiting && Date.now() < deadline) {
      const blocked = await db.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock' and query ilike '%delete from analyses%'`,
      );
      waiting = blocked.rows[0].n > 0;
      if (!waiting) await sleep(20);
    }
    server.child.kill('SIGKILL');
    await server.exited;
    await blocker.query('rollback');
    await blocker.end();
    const interrupted = await erasure;
    expect({ waiting, interrupted }).toEqual({ waiting: true, interrupted: { status: 0, body: expect.any(String) } });

    // The killed connection's transaction rolls back once PostgreSQL notices; wait for its backend.
    const settle = Date.now() + 60_000;
    while (Date.now() < settle) {
      const active = await db.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'delete from %' and pid <> pg_backend_pid()",
      );
      if (active.rows[0].n === 0) break;
      await sleep(100);
    }
    const afterCrash = await counts();
    const allThere = JSON.stringify(afterCrash) === JSON.stringify(PLANTED);
    const allGone = Object.values(afterCrash).every((n) => n === 0);
    expect({ afterCrash, allOrNothing: allThere || allGone }).toEqual({ afterCrash, allOrNothing: true });

    server = await startServer();
    const retry = await post('/api/privacy/delete-my-data');
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body)).toMatchObject({ ok: true });
    expect(await counts()).toEqual({ workflow_runs: 0, run_logs: 0, support_tickets: 0, twitter_data: 0, analyses: 0 });
  });
});
