// The command line as an operator runs it: a real child process through ts-node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'jsonwebtoken';
import { TEST_DATABASE_URL, TEST_ENCRYPTION_KEYS, TEST_EXPORT_SIGNING_KEY, TEST_AUDIT_KEY, TEST_PSEUDONYM_KEY, TEST_JWT_SECRET } from '../../utils/test-env';

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
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      EXPORT_SIGNING_KEY: TEST_EXPORT_SIGNING_KEY,
      AUDIT_KEY: TEST_AUDIT_KEY,
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
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
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      EXPORT_SIGNING_KEY: TEST_EXPORT_SIGNING_KEY,
      AUDIT_KEY: TEST_AUDIT_KEY,
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
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
