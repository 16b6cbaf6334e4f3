// Helpers for the rate-limit integration tests: unique key prefixes on the shared Redis, and
// private redis-server processes for the tests that stop, pause or flush Redis.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** The shared Redis; every test works under its own key prefix and deletes it afterwards. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export function uniqueKeyPrefix(label: string): string {
  return `test-rl-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function deleteKeysWithPrefix(connection: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) {
      await connection.del(...keys);
    }
  } while (cursor !== '0');
}

/** Redis TIME in epoch ms: the clock the store decides by. */
export async function redisTimeMs(connection: Redis): Promise<number> {
  const [seconds, micros] = await connection.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

export interface PrivateRedisOptions {
  /** Keep data across stop/start (append-only file, fsync on every write). */
  persistent?: boolean;
  extraArgs?: string[];
}

/** A redis-server of the test's own, on a free port, which the test may stop and start again. */
export class PrivateRedisServer {
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly args: string[],
  ) {}

  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedisServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rl-redis-'));
    const persistence = options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence, ...(options.extraArgs ?? [])];
    const server = new PrivateRedisServer(port, dir, args);
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    if (this.process !== null) {
      return;
    }
    this.process = spawn('redis-server', this.args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await pingOnce(this.port))) {
      if (Date.now() > deadline) {
        throw new Error(`redis-server on port ${this.port} did not start`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM: Redis closes every connection (and writes its append-only file) and exits. */
  async stop(): Promise<void> {
    const child = this.process;
    if (child === null) {
      return;
    }
    this.process = null;
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
