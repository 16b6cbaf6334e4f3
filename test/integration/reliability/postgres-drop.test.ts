// PostgreSQL connections dropped in the middle of an ingestion run: the app talks to PostgreSQL
// through a TCP proxy the test cuts (every connection destroyed, new ones refused for 3 s) while X
// is answering the second timeline page. The run must still end COMPLETED (retried), with every
// tweet stored exactly once and the app still serving requests.
import { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { FakeXServer } from '../../fakes/fake-x-server';
import { startTestApp, TestApp } from '../../utils/test-app';
import { TEST_DATABASE_URL } from '../../utils/test-env';
import { Client } from 'pg';
import { connectXAccount, sleep } from '../../utils/x-account';

jest.setTimeout(180_000);

class PostgresProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  port = 0;

  async start(): Promise<void> {
    const upstream = new URL(TEST_DATABASE_URL);
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const server = createConnection(Number(upstream.port || 5432), upstream.hostname);
      for (const socket of [client, server]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(server).pipe(client);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const url = new URL(TEST_DATABASE_URL);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString();
  }

  /** Drops every connection and refuses new ones for `ms`. */
  cut(ms: number): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
    setTimeout(() => (this.refusing = false), ms).unref();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

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

describe('Ingestion while PostgreSQL connections drop', () => {
  const fakeX = new InterruptingFakeX();
  const proxy = new PostgresProxy();
  let sut: TestApp;

  beforeAll(async () => {
    await fakeX.start();
    await proxy.start();
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
    await proxy.stop();
    await fakeX.stop();
  });

  it('should complete the run with every tweet stored once after the connections come back', async () => {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 250);
    fakeX.onSecondPage = async () => {
      proxy.cut(3_000);
      await sleep(500);
    };

    const response = await sut.http.post('/api/twitter/sync').set('Authorization', `Bearer ${sut.token(account.userId)}`);
    expect(response.status).toBe(202);
    // Observed straight from PostgreSQL, not through the app's pool that the test cuts.
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const deadline = Date.now() + 90_000;
      let run: { state: string; error_code: string | null; attempts: number } | undefined;
      while (Date.now() < deadline) {
        run = (await db.query<{ state: string; error_code: string | null; attempts: number }>('select state, error_code, attempts from workflow_runs where id = $1', [response.body.runId])).rows[0];
        if (run && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.state)) break;
        await sleep(200);
      }
      expect(fakeX.timelineRequests).toBeGreaterThanOrEqual(3);
      expect({ state: run?.state, error: run?.error_code }).toEqual({ state: 'COMPLETED', error: null });
      const rows = await db.query<{ n: number; distinct_ids: number }>(
        'select count(*)::int as n, count(distinct tweet_id)::int as distinct_ids from twitter_data where user_id = $1',
        [account.userId],
      );
      expect(rows.rows[0]).toEqual({ n: 250, distinct_ids: 250 });
    } finally {
      await db.end();
    }
    const health = await sut.http.get('/api/health');
    expect(health.status).toBe(200);
  });
});
