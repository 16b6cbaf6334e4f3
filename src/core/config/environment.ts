// The environment variables the app accepts (spec section 6), validated with class-validator.
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MaxLength, MinLength } from 'class-validator';

const HTTP_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** Variables whose values must never be printed. */
export const SENSITIVE_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'ENCRYPTION_KEYS',
  'EXPORT_SIGNING_KEY',
  'AUDIT_KEY',
  'PSEUDONYM_KEY',
  'TWITTER_CLIENT_SECRET',
  'ANTHROPIC_API_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'ALERT_WEBHOOK_URL',
  'METRICS_TOKEN',
  'SMTP_URL',
  'PAGERDUTY_ROUTING_KEY',
]);

export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @MinLength(1) HOST?: string;
  @IsOptional() @IsString() @MinLength(1) DATA_DIR?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['postgres', 'postgresql'], require_protocol: true })
  DATABASE_URL?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['redis', 'rediss'], require_protocol: true })
  REDIS_URL?: string;

  @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional() @IsUrl(HTTP_URL) JWT_JWKS_URL?: string;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, {
    message: 'ENCRYPTION_KEYS must be a comma-separated list of kid:base64key (32-byte keys)',
  })
  ENCRYPTION_KEYS?: string;

  @IsOptional() @IsString() @MinLength(32, { message: 'EXPORT_SIGNING_KEY must be at least 32 characters' })
  EXPORT_SIGNING_KEY?: string;
  @IsOptional() @IsString() @MinLength(32, { message: 'AUDIT_KEY must be at least 32 characters' })
  AUDIT_KEY?: string;
  @IsOptional() @IsString() @MinLength(32, { message: 'PSEUDONYM_KEY must be at least 32 characters' })
  PSEUDONYM_KEY?: string;

  @IsOptional() @IsUrl(HTTP_URL) PUBLIC_BASE_URL?: string;
  @IsOptional()
  @MaxLength(2000)
  TRUST_PROXY?: string;
  @IsOptional() @IsString() TWITTER_CLIENT_ID?: string;
  @IsOptional() @IsString() TWITTER_CLIENT_SECRET?: string;
  @IsOptional() @IsUrl(HTTP_URL) TWITTER_REDIRECT_URI?: string;
  @IsOptional() @IsUrl(HTTP_URL) TWITTER_API_BASE_URL?: string;
  @IsOptional() @IsUrl(HTTP_URL) TWITTER_AUTHORIZE_URL?: string;
  @IsOptional() @IsString() ANTHROPIC_API_KEY?: string;
  @IsOptional() @IsUrl(HTTP_URL) ANTHROPIC_BASE_URL?: string;
  @IsOptional() @IsString() @MinLength(1) ANALYSIS_MODEL_BASIC?: string;
  @IsOptional() @IsString() @MinLength(1) ANALYSIS_MODEL_PRO?: string;
  @IsOptional() @IsString() STRIPE_WEBHOOK_SECRET?: string;
  @IsOptional() @IsUrl(HTTP_URL) ALERT_WEBHOOK_URL?: string;
  @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['smtp', 'smtps'], require_protocol: true }, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @IsOptional() @IsEmail({ require_tld: false }, { message: 'ALERT_EMAIL_FROM must be one email address' }) ALERT_EMAIL_FROM?: string;
  /** A comma-separated list of addresses; each is checked in loadConfig. */
  @IsOptional() @IsString() @MaxLength(2000) ALERT_EMAIL_TO?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{20,64}$/, { message: 'PAGERDUTY_ROUTING_KEY must be an Events API v2 integration key (20 to 64 letters and digits)' })
  PAGERDUTY_ROUTING_KEY?: string;
  @IsOptional() @IsUrl(HTTP_URL) PAGERDUTY_EVENTS_URL?: string;
  /** JSON; its shape is checked in loadConfig (parseAlertRoutes). */
  @IsOptional() @IsString() @MaxLength(4000) ALERT_ROUTES?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60)
  ALERT_REMINDER_MINUTES?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  ANTHROPIC_ORG_REQUESTS_PER_MINUTE?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  HTTP_REQUESTS_PER_MINUTE?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  REAUTH_MAX_AGE_SECONDS?: number;

  @IsOptional()
  @IsIn(['gdpr', 'ccpa'], { message: 'PRIVACY_REGIME must be gdpr or ccpa' })
  PRIVACY_REGIME?: 'gdpr' | 'ccpa';

  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) CONTROLLER_NAME?: string;
  @IsOptional() @IsEmail({}, { message: 'PRIVACY_CONTACT_EMAIL must be an email address' }) PRIVACY_CONTACT_EMAIL?: string;
  @IsOptional() @IsEmail({}, { message: 'SECURITY_CONTACT_EMAIL must be an email address' }) SECURITY_CONTACT_EMAIL?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  EXPORTS_PER_DAY?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  SUPPORT_TICKETS_PER_DAY?: number;

  /** How often the audit sealer runs, in ms (0: only at shutdown and when called). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  AUDIT_SEAL_INTERVAL_MS?: number;

  @IsOptional() @IsIn(['true', 'false'], { message: 'RUN_WORKER must be true or false' }) RUN_WORKER?: 'true' | 'false';

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(100)
  RUN_WORKER_CONCURRENCY?: number;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'RUNS_QUEUE_NAME may only contain letters, digits, _ . and -' })
  RUNS_QUEUE_NAME?: string;
}
