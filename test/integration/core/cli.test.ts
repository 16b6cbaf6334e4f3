// The command line as an operator runs it: a real child process through ts-node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_JWT_SECRET, TEST_SECRETS_ENV } from '../../utils/test-env';

const ROOT = join(__dirname, '..', '..', '..');

function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    input,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should mint an HS256 token for a user, with the admin role when asked', () => {
    const result = cli(['token', '--user', 'cli-user', '--admin', '--ttl', '2h'], { JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: dataDir });
    expect(result.status).toBe(0);
    const claims = verify(result.stdout.trim(), TEST_JWT_SECRET, { algorithms: ['HS256'] }) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'cli-user', role: 'admin' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(7200);
  });

  it('should refuse a token command without --user', () => {
    const result = cli(['token'], { DATA_DIR: dataDir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--user <id> is required');
  });

  it('should redact stdin line by line, with offsets into each input line', () => {
    const result = cli(['redact', '--profile', 'prompt', '--json'], { DATA_DIR: dataDir }, 'hi @alice_1\nmail a.b@example.com now\n');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { text: 'hi [USER_1]', entities: [{ type: 'MENTION', start: 3, end: 11 }] },
      { text: 'mail [EMAIL_1] now', entities: [{ type: 'EMAIL', start: 5, end: 20 }] },
    ]);
  });

  it('should report no pending migrations on the migrated test database', () => {
    const result = cli(['migrate'], { DATABASE_URL: TEST_DATABASE_URL, DATA_DIR: dataDir });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('no pending migrations');
    expect(result.status).toBe(0);
  });

  it('should print a retention table on a dry run without deleting anything', () => {
    const result = cli(['retention', '--dry-run', '--now', '2030-01-01T00:00:00Z'], {
      DATABASE_URL: TEST_DATABASE_URL,
      DATA_DIR: dataDir,
      ...TEST_SECRETS_ENV,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Retention cleanup (dry run: nothing deleted)');
    expect(result.stdout).toMatch(/^logs\s+\d+\s+\d+\s+ok$/m);
    expect(result.stdout).toMatch(/^billing_events\s+\d+\s+\d+\s+ok$/m);
  });

  it('should print the record of processing (GDPR Art. 30) from the personal-data map, as Markdown and as JSON', () => {
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      DATA_DIR: dataDir,
      ...TEST_SECRETS_ENV,
    };
    const markdown = cli(['ropa'], env);
    expect(markdown.status).toBe(0);
    expect(markdown.stdout).toMatch(/^# Record of processing activities \(GDPR Art. 30\)$/m);
    expect(markdown.stdout).toContain('(`compliance_events`)');
    expect(markdown.stdout).toMatch(/\| Retention \| 90 days \(Compliance events/);
    expect(markdown.stdout).toContain('| Recipients | Anthropic |');

    const json = cli(['ropa', '--format', 'json'], env);
    expect(json.status).toBe(0);
    const record = JSON.parse(json.stdout) as { activities: Array<{ table: string; erasure: string; erasureReason: string | null }> };
    expect(record.activities.find((activity) => activity.table === 'billing_events')).toMatchObject({ erasure: 'pseudonymise' });
    expect(record.activities.find((activity) => activity.table === 'consent_records')?.erasureReason).toContain('Art. 7(1)');
  });

  it('should refuse an unknown ropa --format', () => {
    const result = cli(['ropa', '--format', 'pdf'], { DATA_DIR: dataDir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('ropa: --format must be md or json');
  });

  describe('runs', () => {
    const env = () => ({
      DATABASE_URL: TEST_DATABASE_URL,
      DATA_DIR: dataDir,
      ...TEST_SECRETS_ENV,
    });
    const userId = `cli-runs-${randomUUID()}`;
    const failed = randomUUID();
    const completed = randomUUID();
    const scheduled = randomUUID();

    beforeAll(async () => {
      const db = new Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      const insert = `insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, error_code, error_message, created_at, updated_at, finished_at)
        values ($1, $2, $3, $4, $5, $6, 5, $7, $8, $9, $9, $9)`;
      await db.query(insert, [completed, userId, 'ingestion', 'twitter.ingest', 'COMPLETED', 1, null, null, new Date('2030-01-01T00:00:00Z')]);
      await db.query(insert, [failed, userId, 'analysis', 'analysis.sentiment', 'FAILED', 3, 'PROVIDER_DOWN', 'line one\nfake row', new Date('2030-01-01T00:01:00Z')]);
      await db.query(insert, [scheduled, null, 'scheduled', 'monitoring_check', 'FAILED', 1, 'CHECK_FAILED', 'no', new Date('2030-01-01T00:02:00Z')]);
      await db.query(`insert into run_logs (run_id, user_id, level, message, created_at) values ($1, $2, 'error', 'Attempt 3 failed (PROVIDER_DOWN)', now())`, [failed, userId]);
      await db.end();
    });

    it('should print the runs of a person in a state as a table, newest first', () => {
      const result = cli(['runs', '--state', 'FAILED', '--user', userId, '--limit', '20'], env());
      expect(result.stderr).not.toMatch(/"level":"error"/);
      expect(result.status).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^id\s+created\s+job\s+user\s+state\s+attempts\s+error$/);
      expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${failed}\\s+2030-01-01T00:01:00.000Z\\s+analysis.sentiment\\s+${userId}\\s+FAILED\\s+3\\s+PROVIDER_DOWN$`))]);
    });

    it('should page with --limit and --before, and show scheduled runs without a user', () => {
      const first = cli(['runs', '--job', 'monitoring_check', '--from', '2030-01-01T00:00:00Z', '--limit', '1'], env());
      expect(first.status).toBe(0);
      expect(first.stdout).toContain(scheduled);
      expect(first.stdout).toContain('(scheduled)');
      const all = cli(['runs', '--user', userId, '--limit', '1'], env());
      const more = /more: --before (\S+)/.exec(all.stdout)?.[1];
      expect(more).toBe(failed);
      const next = cli(['runs', '--user', userId, '--limit', '1', '--before', more as string], env());
      expect(next.stdout).toContain(completed);
      expect(next.stdout).not.toContain('more:');
    });

    it('should print one run with its log, its error on one line', () => {
      const result = cli(['runs', 'show', failed], env());
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^state\s+FAILED$/m);
      expect(result.stdout).toMatch(/^attempts\s+3 of 5$/m);
      expect(result.stdout).toContain('PROVIDER_DOWN: line one fake row');
      expect(result.stdout).toMatch(/^log:\n\s+\S+\s+error\s+Attempt 3 failed \(PROVIDER_DOWN\)$/m);
    });

    it('should refuse a bad filter naming it, and name an unknown run', () => {
      const bad = cli(['runs', '--state', 'DONE'], env());
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('state must be one of the following values');
      const unknown = cli(['runs', 'show', randomUUID()], env());
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('RUN_NOT_FOUND');
    });
  });

  it('should refuse a malformed --now', () => {
    const result = cli(['retention', '--now', 'yesterday'], { DATABASE_URL: TEST_DATABASE_URL, DATA_DIR: dataDir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--now must be an ISO 8601 time');
  });

  it('should stop with the variable named when configuration is wrong', () => {
    const result = cli(['migrate'], { DATABASE_URL: 'not-a-url', DATA_DIR: dataDir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });
});
