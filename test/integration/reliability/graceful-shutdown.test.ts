// The real server process on SIGTERM: a request in flight (its body still arriving) completes,
// new connections are refused, and the process exits with code 0 within 10 s, also while Redis is
// down (BullMQ's own graceful close would wait for Redis).
import { request } from 'node:http';
import { connect } from 'node:net';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../../utils/test-env';
import { waitUntil } from '../../utils/x-account';
import { PrivateRedisServer } from '../rate-limit/support/redis-test-helpers';
import { ServerProcess, serverEnv, sleep, startServer, stopServer } from './server-process';

jest.setTimeout(180_000);

/** A sleep that does not keep jest waiting once the test is over. */
function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('Graceful shutdown of the server process', () => {
  let server: ServerProcess | undefined;

  afterEach(() => stopServer(server));

  it('should finish the request in flight, refuse new connections and exit 0 on SIGTERM', async () => {
    server = await startServer();
    const userId = `shutdown-${Date.now()}`;
    const body = JSON.stringify({ subject: 'In flight', body: 'Sent while the server shuts down' });
    const half = Math.floor(body.length / 2);

    // A slow client: the headers and half the body now, the rest after SIGTERM.
    let sendRest: () => void = () => undefined;
    let firstHalfFlushed = false;
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${server!.baseUrl}/api/support/tickets`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: `Bearer ${server!.token(userId)}` },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half), () => (firstHalfFlushed = true));
      sendRest = () => req.end(body.slice(half));
    });
    await waitUntil('the headers and half the body were sent', () => firstHalfFlushed, 10_000);
    // The server exposes no "request started" signal; this grace lets its event loop accept the
    // connection and parse the headers (sub-millisecond when idle), which the assertions below need.
    await sleep(300);

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    let refused = false;
    while (!refused && Date.now() - signalledAt < 5_000) {
      refused = await connectionRefused(server.port);
      if (!refused) await sleep(50);
    }
    sendRest();
    const answer = await response;
    const { code, signal } = await Promise.race([
      server.exited,
      timeout(10_000 - (Date.now() - signalledAt)).then(() => ({ code: -1, signal: null })),
    ]);
    const exitedAfterMs = Date.now() - signalledAt;

    expect(refused).toBe(true);
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ subject: 'In flight' });
    expect({ code, signal, output: code === 0 ? '' : server.output.join('') }).toEqual({ code: 0, signal: null, output: '' });
    expect(exitedAfterMs).toBeLessThan(10_000);

    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const rows = await db.query<{ n: number }>('select count(*)::int as n from support_tickets where user_id = $1', [userId]);
      expect(rows.rows[0].n).toBe(1);
    } finally {
      await db.end();
    }
  });

  it('should exit 0 within 10 s of SIGTERM while Redis is down, having logged the outage only through its logger', async () => {
    const redis = await PrivateRedisServer.start();
    try {
      server = await startServer(serverEnv({ REDIS_URL: redis.url }));
      await redis.stop();
      await waitUntil('the server noticed the outage', () => server!.output.join('').includes('Redis is unreachable'), 30_000);

      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      const { code, signal } = await Promise.race([server.exited, timeout(10_000).then(() => ({ code: -1, signal: null }))]);
      const exitedAfterMs = Date.now() - signalledAt;

      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(exitedAfterMs).toBeLessThan(10_000);
      const lines = server.output.join('').split('\n').filter(Boolean);
      expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
      expect(lines.filter((line) => line.includes('Redis is unreachable')).length).toBeGreaterThan(0);
    } finally {
      await redis.dispose();
    }
  });
});
