// PostgreSQL connections dropped in the middle of an ingestion run: the app talks to PostgreSQL
// through a TCP proxy the test cuts (every connection destroyed, new ones refused for 3 s), once
// while X is answering the second timeline page and once at the moment the app sends the insert
// into twitter_data inside the storing transaction. Each time the test proves the fault landed
// (the proxy destroyed the app's connections while the run was RUNNING, the run's log records the
// connection error, a second attempt ran) and that the run still ends COMPLETED with every tweet X
// served stored exactly once, the app still serving requests.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Client } from 'pg';
import { FakeXServer } from '../../fakes/fake-x-server';
import { PostgresProxy } from '../../utils/postgres-proxy';
import { startTestApp, TestApp } from '../../utils/test-app';
import { TEST_DATABASE_URL } from '../../utils/test-env';
import { connectXAccount, FINISHED_STATES, sleep } from '../../utils/x-account';

jest.setTimeout(180_000);

/** Runs `onSecondPage` before answering the second timeline page. */
class InterruptingFakeX extends FakeXServer {
  timelineRequests = 0;
  onSecondPage: () => Promise<void> = async () => undefined;

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && /^\/2\/users\/[^/]+\/tweets/.test(req.url ?? '')) {
      this.timelineRequests += 1;
      if (this.timelineRequests === 2) await this.onSecondPage();
    }
    await super.handle(req, body, res);
  }
}

interface RunRow {
  state: string;
  error_code: string | null;
  attempts: number;
}

/** The exact statement TwitterRepository.insertNew sends (unquoted table name). */
const INSERT_INTO_TWITTER_DATA = /^\s*insert into "?twitter_data"?\s/i;
/** How a dropped or refused connection reads in the run log: the driver's words, no statement. */
const ATTEMPT_1_FAILED_ON_THE_CONNECTION =
  /^Attempt 1 failed \(\w+\): Database error \(\w+\): .*(Connection terminated|Connection ended|ECONNREFUSED|ECONNRESET)[^;]*; retrying at /;

describe('Ingestion while PostgreSQL connections drop', () => {
  const fakeX = new InterruptingFakeX();
  const proxy = new PostgresProxy();
  let sut: TestApp;
  // Observes straight from PostgreSQL, not through the app's pool that the test cuts.
  let db: Client;

  beforeAll(async () => {
    await fakeX.start();
    await proxy.start();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    sut = await startTestApp({
      env: {
        DATABASE_URL: proxy.url,
        TWITTER_CLIENT_ID: fakeX.clientId,
        TWITTER_CLIENT_SECRET: fakeX.clientSecret,
        TWITTER_API_BASE_URL: fakeX.baseUrl,
        TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
      },
    });
  });
  afterAll(async () => {
    await sut?.close();
    await db?.end();
    await proxy.stop();
    await fakeX.stop();
  });
  beforeEach(() => {
    fakeX.timelineRequests = 0;
    fakeX.onSecondPage = async () => undefined;
  });

  const runOf = async (userId: string) =>
    (await db.query<RunRow & { id: string }>('select id, state, error_code, attempts from workflow_runs where user_id = $1', [userId])).rows[0];

  const waitForFinish = async (runId: string): Promise<RunRow | undefined> => {
    const deadline = Date.now() + 90_000;
    let run: RunRow | undefined;
    while (Date.now() < deadline) {
      run = (await db.query<RunRow>('select state, error_code, attempts from workflow_runs where id = $1', [runId])).rows[0];
      if (run && FINISHED_STATES.includes(run.state)) return run;
      await sleep(100);
    }
    return run;
  };

  /** The run ended COMPLETED after a retry, its log names the connection error, every tweet is stored once. */
  const expectRecoveredRun = async (account: { userId: string }, runId: string, servedIds: string[]) => {
    const run = await waitForFinish(runId);
    expect({ state: run?.state, error: run?.error_code }).toEqual({ state: 'COMPLETED', error: null });
    expect(run?.attempts).toBeGreaterThanOrEqual(2);

    const logs = await sut.http.get(`/api/runs/${runId}/logs`).set('Authorization', `Bearer ${sut.token(account.userId)}`);
    expect(logs.status).toBe(200);
    const messages = (logs.body as Array<{ level: string; message: string }>).map((line) => line.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(ATTEMPT_1_FAILED_ON_THE_CONNECTION)]));
    // Redacted: no connection string, host or port of the database in the person's run log.
    expect(messages.join('\n')).not.toContain(TEST_DATABASE_URL);
    expect(messages.join('\n')).not.toContain(String(proxy.port));
    expect(messages.join('\n')).not.toMatch(/insert into|values \(/i);

    const stored = await db.query<{ tweet_id: string }>('select tweet_id from twitter_data where user_id = $1 order by tweet_id', [
      account.userId,
    ]);
    expect(stored.rows.map((row) => row.tweet_id)).toEqual([...servedIds].sort());
    const health = await sut.http.get('/api/health');
    expect(health.status).toBe(200);
  };

  it('should complete the run with every tweet stored once after the connections drop mid-fetch', async () => {
    const account = await connectXAccount(sut, fakeX);
    const served = fakeX.seedGeneratedTweets(account.xUserId, 250).map((tweet) => tweet.id);
    const connectionsBefore = proxy.connectionsAccepted;
    fakeX.onSecondPage = async () => {
      const run = await runOf(account.userId);
      // Refused until the app's next connection (the handler's) has been refused, so that the
      // failure it causes can be recorded on the connection after it.
      proxy.cut(10_000, { observed: run?.state, refuseConnections: 1 });
    };

    const response = await sut.http.post('/api/twitter/sync').set('Authorization', `Bearer ${sut.token(account.userId)}`);
    expect(response.status).toBe(202);
    await expectRecoveredRun(account, response.body.runId, served);

    expect(fakeX.timelineRequests).toBeGreaterThanOrEqual(3);
    expect(proxy.connectionsAccepted).toBeGreaterThan(connectionsBefore);
    expect(proxy.cuts).toHaveLength(1);
    expect(proxy.cuts[0].observed).toBe('RUNNING');
    expect(proxy.cuts[0].destroyedSockets).toBeGreaterThan(0);
    expect(proxy.refusedConnections).toBeGreaterThan(0);
  });

  it('should complete the run with every tweet stored once after the connections drop at the insert into twitter_data', async () => {
    const account = await connectXAccount(sut, fakeX);
    const served = fakeX.seedGeneratedTweets(account.xUserId, 250).map((tweet) => tweet.id);
    const cutsBefore = proxy.cuts.length;
    proxy.cutAtStatement(INSERT_INTO_TWITTER_DATA, 0, async () => {
      // The storing transaction holds the run's row FOR SHARE; a plain read does not wait for it.
      const run = await runOf(account.userId);
      const rows = await db.query<{ n: number }>('select count(*)::int as n from twitter_data where user_id = $1', [account.userId]);
      return { state: run?.state, attempts: run?.attempts, storedBefore: rows.rows[0].n };
    });

    const response = await sut.http.post('/api/twitter/sync').set('Authorization', `Bearer ${sut.token(account.userId)}`);
    expect(response.status).toBe(202);
    await expectRecoveredRun(account, response.body.runId, served);

    expect(proxy.cuts).toHaveLength(cutsBefore + 1);
    const cut = proxy.cuts[cutsBefore];
    expect(cut.statement).toMatch(INSERT_INTO_TWITTER_DATA);
    expect(cut.observed).toEqual({ state: 'RUNNING', attempts: 1, storedBefore: 0 });
    expect(cut.destroyedSockets).toBeGreaterThan(0);
  });
});
