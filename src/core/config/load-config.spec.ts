import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from './config.errors';
import { describeEnvironment, loadConfig } from './load-config';

const KEY = Buffer.alloc(32, 1).toString('base64');
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://app:pw@db.internal:5432/repazoo',
  JWT_SECRET: 'x'.repeat(40),
  ENCRYPTION_KEYS: `k2:${KEY},k1:${Buffer.alloc(32, 2).toString('base64')}`,
  EXPORT_SIGNING_KEY: 'y'.repeat(40),
  AUDIT_KEY: 'a'.repeat(40),
  PSEUDONYM_KEY: 'p'.repeat(40),
};

/** Production variables with an identity provider's JWKS instead of a shared JWT secret. */
function productionWithJwks(dataDir: string): Record<string, string> {
  const { JWT_SECRET: _secret, ...rest } = PRODUCTION;
  return { ...rest, DATA_DIR: dataDir, JWT_JWKS_URL: 'https://id.example.com/jwks.json', JWT_ISSUER: 'https://id.example.com/', JWT_AUDIENCE: 'repazoo' };
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe(loadConfig.name, () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'repazoo-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should run embedded with no configuration, generating secrets into DATA_DIR', () => {
    const sut = loadConfig({ DATA_DIR: dataDir });
    expect(sut.mode).toBe('embedded');
    expect(sut.port).toBe(3000);
    expect(sut.host).toBe('127.0.0.1');
    expect(sut.jwt.secret).toHaveLength(64);
    expect(sut.encryptionKeys[0].key).toHaveLength(32);
    expect(loadConfig({ DATA_DIR: dataDir }).jwt.secret).toBe(sut.jwt.secret);
  });

  it('should build a server-mode config from production variables, first key encrypting', () => {
    const sut = loadConfig({ ...PRODUCTION, DATA_DIR: dataDir });
    expect(sut.mode).toBe('server');
    expect(sut.encryptionKeys.map((key) => key.id)).toEqual(['k2', 'k1']);
  });

  it.each(['JWT_SECRET', 'ENCRYPTION_KEYS', 'EXPORT_SIGNING_KEY', 'AUDIT_KEY', 'PSEUDONYM_KEY', 'DATABASE_URL'])(
    'should refuse to start in production without %s, naming it',
    (name) => {
      const env: Record<string, string> = { ...PRODUCTION, DATA_DIR: dataDir };
      delete env[name];
      expect(problemsOf(env).join('\n')).toContain(name);
    },
  );

  it('should name each malformed variable without echoing its value', () => {
    const problems = problemsOf({
      DATA_DIR: dataDir,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      ENCRYPTION_KEYS: 'k1:c2hvcnQ=',
      JWT_SECRET: 'short-secret-value',
    });
    const text = problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'ENCRYPTION_KEYS', 'JWT_SECRET']) expect(text).toContain(name);
    expect(text).not.toContain('short-secret-value');
  });

  it('should accept JWKS instead of a shared secret in production', () => {
    const env = productionWithJwks(dataDir);
    const sut = loadConfig(env);
    expect(sut.jwt.secret).toBeUndefined();
    expect(sut.jwt.jwksUrl).toBe('https://id.example.com/jwks.json');
  });
});

describe('loadConfig: secrets that every instance must share', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'repazoo-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(['JWT_ISSUER', 'JWT_AUDIENCE'])('should refuse JWKS in production without %s', (name) => {
    const env = productionWithJwks(dataDir);
    delete env[name];
    expect(problemsOf(env)).toEqual([`${name} is required in production with JWT_JWKS_URL`]);
  });

  it('should refuse a plain-http JWKS URL in production', () => {
    const env = { ...PRODUCTION, DATA_DIR: dataDir, JWT_JWKS_URL: 'http://id.example.com/jwks.json', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' };
    expect(problemsOf(env)).toEqual(['JWT_JWKS_URL must be an https URL in production']);
  });

  it.each(['JWT_SECRET', 'ENCRYPTION_KEYS', 'EXPORT_SIGNING_KEY', 'AUDIT_KEY', 'PSEUDONYM_KEY'])(
    'should refuse server mode without %s even outside production, and generate nothing',
    (name) => {
      const env: Record<string, string> = { ...PRODUCTION, NODE_ENV: 'development', DATA_DIR: dataDir };
      delete env[name];
      expect(problemsOf(env).join('\n')).toContain(`${name}`);
      expect(problemsOf(env).join('\n')).toContain('in server mode (DATABASE_URL is set)');
      expect(readdirSync(dataDir)).toEqual([]);
    },
  );

  it('should let a command that needs fewer secrets name only those', () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: PRODUCTION.DATABASE_URL, DATA_DIR: dataDir };
    expect(loadConfig(env, { requiredSecrets: [] }).databaseUrl).toBe(PRODUCTION.DATABASE_URL);
    expect(() => loadConfig(env, { requiredSecrets: ['ENCRYPTION_KEYS'] })).toThrow(/ENCRYPTION_KEYS is required in server mode/);
  });
});

describe('loadConfig: TRUST_PROXY', () => {
  it.each([
    ['1', 1],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
  ])('should read %s as Express trust proxy %p', (value, expected) => {
    expect(loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'repazoo-config-')), TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('should refuse true, which would trust any client header', () => {
    expect(problemsOf({ TRUST_PROXY: 'true' }).join('\n')).toContain('TRUST_PROXY must be');
    expect(problemsOf({ TRUST_PROXY: '10.0.0.1, 10.0.0.0/8/1' }).join('\n')).toContain('TRUST_PROXY must be');
  });
});

describe(describeEnvironment.name, () => {
  it('should mask every secret and keep plain settings', () => {
    const sut = describeEnvironment({ ...PRODUCTION, PORT: '8080', UNRELATED: 'x' });
    expect(sut).toEqual({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: '********',
      JWT_SECRET: '********',
      ENCRYPTION_KEYS: '********',
      EXPORT_SIGNING_KEY: '********',
      AUDIT_KEY: '********',
      PSEUDONYM_KEY: '********',
    });
  });
});

describe('loadConfig: alerting', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'repazoo-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const EMAIL = { SMTP_URL: 'smtp://mailer:s3cret-pass@mail.internal:587', ALERT_EMAIL_FROM: 'alerts@example.com', ALERT_EMAIL_TO: 'ops@example.com, dpo@example.com' };

  it('should configure email, PagerDuty with its default endpoint, routes and the reminder interval', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      ...EMAIL,
      PAGERDUTY_ROUTING_KEY: 'R0ut1ngKey0123456789abcdef012345',
      ALERT_ROUTES: '{"severity": {"warning": ["slack", "email", "slack"]}, "kind": {"queue_backlog": []}}',
      ALERT_REMINDER_MINUTES: '60',
    });
    expect(config.alerting).toEqual({
      email: { smtpUrl: EMAIL.SMTP_URL, from: 'alerts@example.com', to: ['ops@example.com', 'dpo@example.com'] },
      pagerDuty: { routingKey: 'R0ut1ngKey0123456789abcdef012345', eventsUrl: 'https://events.pagerduty.com/v2/enqueue' },
      routes: { severity: { warning: ['slack', 'email'] }, kind: { queue_backlog: [] } },
      reminderIntervalMs: 60 * 60_000,
    });
    expect(loadConfig({ DATA_DIR: dataDir }).alerting).toEqual({ email: undefined, pagerDuty: undefined, routes: undefined, reminderIntervalMs: 240 * 60_000 });
  });

  it('should refuse half an email setup, naming what is missing', () => {
    expect(problemsOf({ DATA_DIR: dataDir, SMTP_URL: EMAIL.SMTP_URL })).toEqual([
      'alert email needs SMTP_URL, ALERT_EMAIL_FROM and ALERT_EMAIL_TO together: ALERT_EMAIL_FROM, ALERT_EMAIL_TO missing',
    ]);
    expect(problemsOf({ DATA_DIR: dataDir, ...EMAIL, ALERT_EMAIL_TO: 'ops@example.com, not an address' })).toEqual([
      'ALERT_EMAIL_TO must be a comma-separated list of 1 to 50 email addresses',
    ]);
    expect(problemsOf({ DATA_DIR: dataDir, ...EMAIL, SMTP_URL: 'http://mail.internal' })).toEqual(['SMTP_URL must be an smtp:// or smtps:// URL']);
    expect(problemsOf({ DATA_DIR: dataDir, PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9/v2/enqueue' })).toEqual(['PAGERDUTY_EVENTS_URL is set but PAGERDUTY_ROUTING_KEY is missing']);
  });

  it('should refuse ALERT_ROUTES that are not the expected shape, without echoing secrets', () => {
    const problem = (routes: string) => problemsOf({ DATA_DIR: dataDir, ALERT_ROUTES: routes });
    expect(problem('{not json')[0]).toMatch(/^ALERT_ROUTES is not valid JSON/);
    expect(problem('[]')[0]).toMatch(/^ALERT_ROUTES must be a JSON object/);
    expect(problem('{"severities": {}}')[0]).toMatch(/^ALERT_ROUTES has unknown keys: severities/);
    expect(problem('{"severity": {"fatal": ["email"]}}')[0]).toMatch(/^ALERT_ROUTES names an unknown severity "fatal"/);
    expect(problem('{"severity": {"critical": ["sms"]}}')[0]).toMatch(/^ALERT_ROUTES routes severity "critical" to something other than a list of slack, email, pagerduty/);
    expect(problem('{"kind": {"Bad Kind!": ["email"]}}')[0]).toMatch(/^ALERT_ROUTES names an invalid alert kind/);
    expect(problem(`{"kind": {"${'a'.repeat(5000)}": []}}`)[0]).toMatch(/^ALERT_ROUTES: ALERT_ROUTES must be shorter than or equal to 4000 characters|^ALERT_ROUTES must be shorter/);
  });

  it('should mask the SMTP URL and the PagerDuty routing key', () => {
    const described = describeEnvironment({ ...EMAIL, PAGERDUTY_ROUTING_KEY: 'R0ut1ngKey0123456789abcdef012345' });
    expect(described).toMatchObject({ SMTP_URL: '********', PAGERDUTY_ROUTING_KEY: '********', ALERT_EMAIL_TO: EMAIL.ALERT_EMAIL_TO });
  });
});
