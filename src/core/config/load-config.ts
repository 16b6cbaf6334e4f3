// Validates the environment once at boot and builds the typed AppConfig. A wrong value, or a
// production secret left unset, stops the boot with a message naming the variable.
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_RATE_LIMIT_POLICIES } from '../rate-limit/rate-limit.types';
import { AlertingConfig, AlertRoutesOverride, AppConfig, EncryptionKey } from './app-config';
import { ConfigValidationError } from './config.errors';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { EnvironmentVariables, SENSITIVE_VARIABLES } from './environment';

const DEFAULT_TWITTER_API = 'https://api.x.com';
const DEFAULT_TWITTER_AUTHORIZE = 'https://x.com/i/oauth2/authorize';
const DEFAULT_MODEL_BASIC = 'claude-sonnet-4-5';
const DEFAULT_MODEL_PRO = 'claude-opus-4-1';

type Env = Record<string, string | undefined>;

/** Secrets every instance must be given rather than generate (JWT stands for JWT_SECRET or JWT_JWKS_URL). */
export type RequiredSecret = 'JWT' | 'ENCRYPTION_KEYS' | 'EXPORT_SIGNING_KEY' | 'AUDIT_KEY' | 'PSEUDONYM_KEY';
const ALL_SECRETS: readonly RequiredSecret[] = ['JWT', 'ENCRYPTION_KEYS', 'EXPORT_SIGNING_KEY', 'AUDIT_KEY', 'PSEUDONYM_KEY'];

export interface LoadConfigOptions {
  /**
   * The secrets this process needs where secrets are mandatory: all of them for the app and the
   * worker; a CLI command that uses fewer (migrate: none; rotate-keys: the encryption keys) names
   * only those, so a deploy step needs no more than it uses.
   */
  requiredSecrets?: readonly RequiredSecret[];
}

export function loadConfig(env: Env = process.env, { requiredSecrets = ALL_SECRETS }: LoadConfigOptions = {}): AppConfig {
  const known = Object.fromEntries(
    Object.keys(new EnvironmentVariablesKeys()).map((name) => [name, emptyToUndefined(env[name])]),
  );
  const vars = plainToInstance(EnvironmentVariables, known);
  const problems = validateSync(vars, { forbidUnknownValues: false }).flatMap(describeValidationError);

  const nodeEnv = vars.NODE_ENV ?? 'development';
  const dataDir = resolve(vars.DATA_DIR ?? './.data');
  if (nodeEnv === 'production' && !vars.DATABASE_URL) problems.push('DATABASE_URL is required in production (embedded mode is single-instance)');
  // Secrets generated per instance cannot be shared: with DATABASE_URL set, several instances
  // may use one database, and one instance's generated key cannot read another's tokens (nor
  // anything once its volume is lost). So the production rules hold in server mode too.
  if (nodeEnv === 'production' || vars.DATABASE_URL) {
    const where = nodeEnv === 'production' ? 'in production' : 'in server mode (DATABASE_URL is set): every instance must share it';
    const missing = (secret: RequiredSecret) => requiredSecrets.includes(secret);
    if (missing('JWT') && !vars.JWT_SECRET && !vars.JWT_JWKS_URL) problems.push(`JWT_SECRET or JWT_JWKS_URL is required ${where}`);
    if (missing('ENCRYPTION_KEYS') && !vars.ENCRYPTION_KEYS) problems.push(`ENCRYPTION_KEYS is required ${where}`);
    if (missing('EXPORT_SIGNING_KEY') && !vars.EXPORT_SIGNING_KEY) problems.push(`EXPORT_SIGNING_KEY is required ${where}`);
    if (missing('AUDIT_KEY') && !vars.AUDIT_KEY) problems.push(`AUDIT_KEY is required ${where}`);
    if (missing('PSEUDONYM_KEY') && !vars.PSEUDONYM_KEY) problems.push(`PSEUDONYM_KEY is required ${where}`);
  }
  if (nodeEnv === 'production' && vars.JWT_JWKS_URL) {
    // An identity provider's keys sign tokens for more than this app: pin whose tokens, for whom,
    // and fetch the keys over TLS, so nobody on the path can swap them.
    if (!vars.JWT_ISSUER) problems.push('JWT_ISSUER is required in production with JWT_JWKS_URL');
    if (!vars.JWT_AUDIENCE) problems.push('JWT_AUDIENCE is required in production with JWT_JWKS_URL');
    if (!vars.JWT_JWKS_URL.startsWith('https://')) problems.push('JWT_JWKS_URL must be an https URL in production');
  }
  const encryptionKeys = vars.ENCRYPTION_KEYS ? parseEncryptionKeys(vars.ENCRYPTION_KEYS, problems) : [];
  const trustProxy = parseTrustProxy(vars.TRUST_PROXY, problems);
  const alerting = parseAlerting(vars, problems);
  if (problems.length > 0) throw new ConfigValidationError(problems);

  // Outside production, secrets nobody configured come from DATA_DIR (generated on first start).
  const needsDevSecrets =
    !vars.ENCRYPTION_KEYS || !vars.EXPORT_SIGNING_KEY || !vars.AUDIT_KEY || !vars.PSEUDONYM_KEY || (!vars.JWT_SECRET && !vars.JWT_JWKS_URL);
  const dev = needsDevSecrets ? loadOrCreateDevSecrets(dataDir) : undefined;
  const port = vars.PORT ?? 3000;
  const host = vars.HOST ?? '127.0.0.1';
  const publicBaseUrl = (vars.PUBLIC_BASE_URL ?? `http://${host}:${port}`).replace(/\/$/, '');

  return {
    nodeEnv,
    mode: vars.DATABASE_URL ? 'server' : 'embedded',
    port,
    host,
    dataDir,
    databaseUrl: vars.DATABASE_URL,
    redisUrl: vars.REDIS_URL,
    publicBaseUrl,
    trustProxy,
    jwt: {
      secret: vars.JWT_SECRET ?? (vars.JWT_JWKS_URL ? undefined : dev?.JWT_SECRET),
      jwksUrl: vars.JWT_JWKS_URL,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      recentSignInSeconds: vars.REAUTH_MAX_AGE_SECONDS ?? 600,
    },
    encryptionKeys: encryptionKeys.length > 0 ? encryptionKeys : parseEncryptionKeys(dev!.ENCRYPTION_KEYS, []),
    exportSigningKey: vars.EXPORT_SIGNING_KEY ?? dev!.EXPORT_SIGNING_KEY,
    auditKey: vars.AUDIT_KEY ?? dev!.AUDIT_KEY,
    auditSealIntervalMs: vars.AUDIT_SEAL_INTERVAL_MS ?? 5_000,
    pseudonymKey: vars.PSEUDONYM_KEY ?? dev!.PSEUDONYM_KEY,
    twitter: {
      clientId: vars.TWITTER_CLIENT_ID,
      clientSecret: vars.TWITTER_CLIENT_SECRET,
      redirectUri: vars.TWITTER_REDIRECT_URI ?? `${publicBaseUrl}/api/twitter/callback`,
      apiBaseUrl: (vars.TWITTER_API_BASE_URL ?? DEFAULT_TWITTER_API).replace(/\/$/, ''),
      authorizeUrl: vars.TWITTER_AUTHORIZE_URL ?? DEFAULT_TWITTER_AUTHORIZE,
    },
    anthropic: {
      apiKey: vars.ANTHROPIC_API_KEY,
      baseUrl: vars.ANTHROPIC_BASE_URL,
      modelBasic: vars.ANALYSIS_MODEL_BASIC ?? DEFAULT_MODEL_BASIC,
      modelPro: vars.ANALYSIS_MODEL_PRO ?? DEFAULT_MODEL_PRO,
    },
    stripeWebhookSecret: vars.STRIPE_WEBHOOK_SECRET,
    alertWebhookUrl: vars.ALERT_WEBHOOK_URL,
    alerting,
    metricsToken: vars.METRICS_TOKEN,
    rateLimits: {
      outbound: {
        ...DEFAULT_RATE_LIMIT_POLICIES,
        organisation: {
          ...DEFAULT_RATE_LIMIT_POLICIES.organisation,
          ...(vars.ANTHROPIC_ORG_REQUESTS_PER_MINUTE
            ? { anthropic: { limit: vars.ANTHROPIC_ORG_REQUESTS_PER_MINUTE, windowMs: 60_000 } }
            : {}),
        },
      },
      inboundPerMinute: vars.HTTP_REQUESTS_PER_MINUTE ?? 600,
      authFailuresPerMinute: vars.AUTH_FAILURES_PER_MINUTE ?? 30,
    },
    privacyRegime: vars.PRIVACY_REGIME ?? 'gdpr',
    legal: {
      controllerName: vars.CONTROLLER_NAME ?? 'Repazoo',
      privacyContact: vars.PRIVACY_CONTACT_EMAIL ?? 'privacy@repazoo.example',
      securityContact: vars.SECURITY_CONTACT_EMAIL ?? 'security@repazoo.example',
    },
    dailyLimits: {
      exports: vars.EXPORTS_PER_DAY ?? 5,
      supportTickets: vars.SUPPORT_TICKETS_PER_DAY ?? 20,
    },
    jobs: {
      runWorker: vars.RUN_WORKER !== 'false',
      workerConcurrency: vars.RUN_WORKER_CONCURRENCY ?? 4,
      queueName: vars.RUNS_QUEUE_NAME ?? 'repazoo-runs',
    },
  };
}

/** Every environment variable the app reads, in declaration order (docker-compose.yml and .env.example must pass each one). */
export function configVariableNames(): string[] {
  return Object.keys(new EnvironmentVariablesKeys());
}

/** The environment as the app sees it, with every sensitive value masked: safe to log. */
export function describeEnvironment(env: Env = process.env): Record<string, string> {
  const names = configVariableNames();
  return Object.fromEntries(
    names
      .filter((name) => emptyToUndefined(env[name]) !== undefined)
      .map((name) => [name, SENSITIVE_VARIABLES.has(name) ? '********' : (env[name] as string)]),
  );
}

const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const DEFAULT_ALERT_REMINDER_MINUTES = 240;
const ALERT_CHANNELS = ['slack', 'email', 'pagerduty'];
const ALERT_SEVERITIES = ['info', 'warning', 'critical'];
/** Alert kinds are snake_case names from Monitoring's list, which checks them against the kinds it knows. */
const ALERT_KIND_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** Deliberately simple (linear): a name, one @, a domain; nodemailer and the server judge the rest. */
const EMAIL_ADDRESS = /^[^\s@,<>]{1,64}@[^\s@,<>]{1,255}$/;

/** Email needs all three of SMTP_URL, ALERT_EMAIL_FROM and ALERT_EMAIL_TO; PagerDuty its routing key. */
function parseAlerting(vars: EnvironmentVariables, problems: string[]): AlertingConfig {
  const emailVars = { SMTP_URL: vars.SMTP_URL, ALERT_EMAIL_FROM: vars.ALERT_EMAIL_FROM, ALERT_EMAIL_TO: vars.ALERT_EMAIL_TO };
  const givenEmailVars = Object.entries(emailVars).filter(([, value]) => value !== undefined);
  let email: AlertingConfig['email'];
  if (givenEmailVars.length > 0 && givenEmailVars.length < 3) {
    const missing = Object.entries(emailVars).filter(([, value]) => value === undefined).map(([name]) => name);
    problems.push(`alert email needs SMTP_URL, ALERT_EMAIL_FROM and ALERT_EMAIL_TO together: ${missing.join(', ')} missing`);
  } else if (givenEmailVars.length === 3) {
    const to = (vars.ALERT_EMAIL_TO as string).split(',').map((address) => address.trim()).filter((address) => address !== '');
    if (to.length === 0 || to.length > 50 || to.some((address) => !EMAIL_ADDRESS.test(address))) {
      problems.push('ALERT_EMAIL_TO must be a comma-separated list of 1 to 50 email addresses');
    }
    email = { smtpUrl: vars.SMTP_URL as string, from: vars.ALERT_EMAIL_FROM as string, to };
  }
  if (vars.PAGERDUTY_EVENTS_URL && !vars.PAGERDUTY_ROUTING_KEY) problems.push('PAGERDUTY_EVENTS_URL is set but PAGERDUTY_ROUTING_KEY is missing');
  return {
    email,
    pagerDuty: vars.PAGERDUTY_ROUTING_KEY
      ? { routingKey: vars.PAGERDUTY_ROUTING_KEY, eventsUrl: vars.PAGERDUTY_EVENTS_URL ?? DEFAULT_PAGERDUTY_EVENTS_URL }
      : undefined,
    routes: vars.ALERT_ROUTES === undefined ? undefined : parseAlertRoutes(vars.ALERT_ROUTES, problems),
    reminderIntervalMs: (vars.ALERT_REMINDER_MINUTES ?? DEFAULT_ALERT_REMINDER_MINUTES) * 60_000,
  };
}

/**
 * `{"severity": {"critical": ["email", "pagerduty"]}, "kind": {"audit_chain_broken": ["pagerduty", "email"]}}`:
 * entries replace the default table's for that severity or kind; `[]` sends nothing for it.
 */
export function parseAlertRoutes(text: string, problems: string[]): AlertRoutesOverride | undefined {
  const invalid = (why: string) => {
    problems.push(`ALERT_ROUTES ${why} (expected {"severity": {"critical": ["email", "pagerduty"]}, "kind": {"<alert kind>": ["pagerduty"]}})`);
    return undefined;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid('is not valid JSON');
  }
  if (!isPlainObject(parsed)) return invalid('must be a JSON object');
  const unknownKeys = Object.keys(parsed).filter((key) => key !== 'severity' && key !== 'kind');
  if (unknownKeys.length > 0) return invalid(`has unknown keys: ${unknownKeys.slice(0, 5).join(', ')}`);
  const routes: AlertRoutesOverride = { severity: {}, kind: {} };
  for (const section of ['severity', 'kind'] as const) {
    const entries = parsed[section];
    if (entries === undefined) continue;
    if (!isPlainObject(entries)) return invalid(`"${section}" must be an object`);
    for (const [name, channels] of Object.entries(entries)) {
      if (section === 'severity' && !ALERT_SEVERITIES.includes(name)) return invalid(`names an unknown severity "${name.slice(0, 40)}" (info, warning or critical)`);
      if (section === 'kind' && !ALERT_KIND_NAME.test(name)) return invalid(`names an invalid alert kind "${name.slice(0, 40)}"`);
      if (!Array.isArray(channels) || channels.some((channel) => typeof channel !== 'string' || !ALERT_CHANNELS.includes(channel))) {
        return invalid(`routes ${section} "${name}" to something other than a list of slack, email, pagerduty`);
      }
      routes[section][name] = [...new Set(channels as AlertRoutesOverride['kind'][string])];
    }
  }
  return routes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** A hop count, or a list of addresses and subnets (never `true`: that trusts any client's header). */
function parseTrustProxy(value: string | undefined, problems: string[]): number | string[] | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const invalid = entries.filter((entry) => {
    const [address, bits, ...rest] = entry.split('/');
    return !NAMED_SUBNETS.has(entry) && (isIP(address) === 0 || rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits)));
  });
  if (invalid.length > 0) problems.push('TRUST_PROXY must be a hop count or a list of IP addresses, subnets (a.b.c.d/n) or loopback, linklocal, uniquelocal');
  return entries;
}

function parseEncryptionKeys(value: string, problems: string[]): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const entry of value.split(',')) {
    const [id, encoded] = entry.split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (key.length !== 32) {
      problems.push(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes, base64-encoded`);
      continue;
    }
    if (keys.some((k) => k.id === id)) problems.push(`ENCRYPTION_KEYS: key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  return keys;
}

function describeValidationError(error: ValidationError): string[] {
  const constraints = Object.values(error.constraints ?? {});
  // Never echo the offending value: it may be a secret.
  return constraints.map((message) => (message.startsWith(error.property) ? message : `${error.property}: ${message}`));
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The list of variable names, taken from the validated class so the two cannot drift: class
 * fields without initialisers do not exist at runtime, so each is listed here once.
 */
class EnvironmentVariablesKeys implements Record<keyof EnvironmentVariables, true> {
  NODE_ENV = true as const;
  PORT = true as const;
  HOST = true as const;
  DATA_DIR = true as const;
  DATABASE_URL = true as const;
  REDIS_URL = true as const;
  JWT_SECRET = true as const;
  JWT_JWKS_URL = true as const;
  JWT_ISSUER = true as const;
  JWT_AUDIENCE = true as const;
  ENCRYPTION_KEYS = true as const;
  EXPORT_SIGNING_KEY = true as const;
  AUDIT_KEY = true as const;
  PSEUDONYM_KEY = true as const;
  PUBLIC_BASE_URL = true as const;
  TRUST_PROXY = true as const;
  TWITTER_CLIENT_ID = true as const;
  TWITTER_CLIENT_SECRET = true as const;
  TWITTER_REDIRECT_URI = true as const;
  TWITTER_API_BASE_URL = true as const;
  TWITTER_AUTHORIZE_URL = true as const;
  ANTHROPIC_API_KEY = true as const;
  ANTHROPIC_BASE_URL = true as const;
  ANALYSIS_MODEL_BASIC = true as const;
  ANALYSIS_MODEL_PRO = true as const;
  STRIPE_WEBHOOK_SECRET = true as const;
  ALERT_WEBHOOK_URL = true as const;
  METRICS_TOKEN = true as const;
  SMTP_URL = true as const;
  ALERT_EMAIL_FROM = true as const;
  ALERT_EMAIL_TO = true as const;
  PAGERDUTY_ROUTING_KEY = true as const;
  PAGERDUTY_EVENTS_URL = true as const;
  ALERT_ROUTES = true as const;
  ALERT_REMINDER_MINUTES = true as const;
  ANTHROPIC_ORG_REQUESTS_PER_MINUTE = true as const;
  HTTP_REQUESTS_PER_MINUTE = true as const;
  AUTH_FAILURES_PER_MINUTE = true as const;
  REAUTH_MAX_AGE_SECONDS = true as const;
  PRIVACY_REGIME = true as const;
  CONTROLLER_NAME = true as const;
  PRIVACY_CONTACT_EMAIL = true as const;
  SECURITY_CONTACT_EMAIL = true as const;
  EXPORTS_PER_DAY = true as const;
  SUPPORT_TICKETS_PER_DAY = true as const;
  AUDIT_SEAL_INTERVAL_MS = true as const;
  RUN_WORKER = true as const;
  RUN_WORKER_CONCURRENCY = true as const;
  RUNS_QUEUE_NAME = true as const;
}
