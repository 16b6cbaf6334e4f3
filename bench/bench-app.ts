// The throwaway set-up of a bench that runs the real app on its own database (bench:lifecycle,
// bench:shred): the database is created afresh, migrated with the CLI as production does, served
// by a test app listening on a loopback port, and dropped at the end (BENCH_KEEP_DATABASE=1 keeps it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../test/utils/test-app';

export interface BenchApp {
  test: TestApp;
  /** A plain pg client on the bench's database, for planting rows and the baselines. */
  db: Client;
  baseUrl: string;
}

async function withAdmin(adminUrl: string, fn: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}

export async function withBenchApp(
  options: { adminUrl: string; databaseName: string; redisUrl: string },
  run: (bench: BenchApp) => Promise<void>,
): Promise<void> {
  const { adminUrl, databaseName, redisUrl } = options;
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${databaseName}`);
  const dropDatabase = (admin: Client) => admin.query(`drop database if exists "${databaseName}" with (force)`);
  await withAdmin(adminUrl, async (admin) => {
    await dropDatabase(admin);
    await admin.query(`create database "${databaseName}"`);
  });
  const root = join(__dirname, '..');
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-bench-'));
  let test: TestApp | undefined;
  const db = new Client({ connectionString: databaseUrl });
  try {
    execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'cli.ts'), 'migrate'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test', DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await db.connect();
    test = await startTestApp({ env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, DATA_DIR: dataDir, HTTP_REQUESTS_PER_MINUTE: '1000000000' } });
    await test.app.listen(0, '127.0.0.1');
    const baseUrl = (await test.app.getUrl()).replace('[::1]', '127.0.0.1');
    await run({ test, db, baseUrl });
  } finally {
    await test?.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP_DATABASE !== '1') await withAdmin(adminUrl, dropDatabase);
  }
}
