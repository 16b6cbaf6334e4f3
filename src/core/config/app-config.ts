// The typed configuration every part of the app reads. Built once at boot by `loadConfig`;
// nothing outside core/config reads process.env.

import type { RateLimitPolicies } from '../rate-limit/rate-limit.types';

export type RunMode = 'embedded' | 'server';

export interface EncryptionKey {
  /** Key id stored next to every ciphertext, so old keys can still decrypt after rotation. */
  id: string;
  key: Buffer;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  mode: RunMode;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  publicBaseUrl: string;
  /**
   * Express's `trust proxy` (TRUST_PROXY): how many proxy hops, or which proxy addresses, may set
   * X-Forwarded-For. Unset: the socket's address is the client (each proxy would otherwise put
   * every client in one throttle bucket, or a client could forge its address).
   */
  trustProxy: number | string[] | undefined;
  jwt: {
    secret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    /**
     * How recent a sign-in must be for the routes that cannot be undone (delete-my-data), in
     * seconds (REAUTH_MAX_AGE_SECONDS, default 600): OIDC's `max_age` for the client's re-login.
     */
    recentSignInSeconds: number;
  };
  /** The first key encrypts; all of them decrypt. */
  encryptionKeys: EncryptionKey[];
  exportSigningKey: string;
  /** Keys the audit log's leaf hashes and batch chain (AUDIT_KEY): without it, rewriting the log is detectable. */
  auditKey: string;
  /** How often the audit sealer seals new entries into a batch (AUDIT_SEAL_INTERVAL_MS, default 5000; 0: only at shutdown). */
  auditSealIntervalMs: number;
  /** Keys hashes that must name no one (PSEUDONYM_KEY): quota counters, pseudonymised rows. */
  pseudonymKey: string;
  twitter: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string;
    apiBaseUrl: string;
    authorizeUrl: string;
  };
  anthropic: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    modelBasic: string;
    modelPro: string;
  };
  stripeWebhookSecret: string | undefined;
  /** The Slack-compatible incoming webhook (ALERT_WEBHOOK_URL), one of the alert channels. */
  alertWebhookUrl: string | undefined;
  /** The other alert channels, the routing override and the reminder interval. */
  alerting: AlertingConfig;
  metricsToken: string | undefined;
  rateLimits: {
    /** Outbound calls to X and Anthropic (spec: X 900/15 min, Anthropic 50/min per user + an org cap). */
    outbound: RateLimitPolicies;
    /** Inbound HTTP requests per user (or per IP on public routes) per minute. */
    inboundPerMinute: number;
    /** Failed authentications per client IP per minute before 429 AUTH_THROTTLED (AUTH_FAILURES_PER_MINUTE). */
    authFailuresPerMinute: number;
  };
  /**
   * Whose deadlines a data subject request gets when it does not say (PRIVACY_REGIME, default
   * `gdpr`): GDPR's one month or CCPA's 45 days.
   */
  privacyRegime: 'gdpr' | 'ccpa';
  /**
   * Who the controller is and how people reach them, as the privacy notice and terms must say
   * (GDPR Art. 13(1)(a)). The defaults are placeholders on the reserved `.example` domain:
   * production sets CONTROLLER_NAME, PRIVACY_CONTACT_EMAIL and SECURITY_CONTACT_EMAIL.
   */
  legal: {
    controllerName: string;
    privacyContact: string;
    securityContact: string;
  };
  /** What one person may ask for per day (rolling 24 hours). */
  dailyLimits: {
    /** Data exports started (EXPORTS_PER_DAY, default 5): each is a full copy kept 30 days. */
    exports: number;
    /** Support tickets opened (SUPPORT_TICKETS_PER_DAY, default 20). */
    supportTickets: number;
  };
  /** The run engine (src/core/jobs). */
  jobs: {
    /** Whether this process executes runs (RUN_WORKER, default true; `npm run worker` forces it on). */
    runWorker: boolean;
    /** Runs one worker process executes at once (RUN_WORKER_CONCURRENCY, default 4). */
    workerConcurrency: number;
    /** The BullMQ queue in server mode (RUNS_QUEUE_NAME, default `repazoo-runs`). */
    queueName: string;
  };
}

export type AlertChannelNameConfig = 'slack' | 'email' | 'pagerduty';

/** ALERT_ROUTES: entries replacing the default routing table's, by severity and by alert kind. */
export interface AlertRoutesOverride {
  severity: Record<string, AlertChannelNameConfig[]>;
  kind: Record<string, AlertChannelNameConfig[]>;
}

export interface AlertingConfig {
  /** SMTP_URL, ALERT_EMAIL_FROM and ALERT_EMAIL_TO (all three, or email is off). */
  email: { smtpUrl: string; from: string; to: string[] } | undefined;
  /** PAGERDUTY_ROUTING_KEY and PAGERDUTY_EVENTS_URL (default PagerDuty's Events API v2 endpoint). */
  pagerDuty: { routingKey: string; eventsUrl: string } | undefined;
  routes: AlertRoutesOverride | undefined;
  /** ALERT_REMINDER_MINUTES (default 240): an alert still open is announced again after this long; 0 turns reminders off. */
  reminderIntervalMs: number;
}

/** Injection token for the config object (an interface has no runtime value). */
export const APP_CONFIG = Symbol('APP_CONFIG');
