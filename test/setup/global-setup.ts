// Runs once per jest project: recreates the test database on the real PostgreSQL and applies the
// committed migrations with the CLI, the same way `npm run migrate` does in production. (The CLI
// runs in a child process: MikroORM keeps its metadata in a process-wide global, and loading it
// here would leak this realm's objects into the test realms.)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_DATABASE_NAME, TEST_DATABASE_URL, TEST_POSTGRES_ADMIN_URL } from '../utils/test-env';

export default async function globalSetup(): Promise<void> {
  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${TEST_DATABASE_NAME}" with (force)`);
    await admin.query(`create database "${TEST_DATABASE_NAME}"`);
  } finally {
    await admin.end();
  }
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'cli.ts'), 'migrate'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, NODE_ENV: 'test', DATA_DIR: join(root, '.data', 'test-migrate') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
