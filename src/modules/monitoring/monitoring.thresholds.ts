// Every number Monitoring alerts on, in one place. An alert is raised when a count goes strictly
// above `max` within `windowMs` (10 rate-limit violations in an hour is fine, 11 is not).

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface WindowThreshold {
  /** The highest count that is still normal. */
  max: number;
  windowMs: number;
}

export interface MonitoringThresholds {
  /** Outbound rate-limit rejections per user (compliance_events `rate_limit_rejected`). */
  rateLimitViolations: WindowThreshold;
  /** Failed X token refreshes per user (compliance_events `token_refresh_failed`). */
  tokenRefreshFailures: WindowThreshold;
  /** Analysis attempts refused for quota per user (compliance_events `quota_exceeded`). */
  quotaExceededAttempts: WindowThreshold;
  /** Failed consent verifications per user (compliance_events `consent_check_failed`). */
  consentCheckFailures: WindowThreshold;
  /** Failed consent verifications across all users. */
  consentCheckFailuresAllUsers: WindowThreshold;
  /** Prompts stopped by the pre-send PII check (any one is an incident). */
  promptPiiFound: WindowThreshold;
  /** How often the audit chain is verified by the check (a full walk of the log). */
  auditChainVerifyEveryMs: number;
  /** Database queries per user in one fixed 5-minute bucket (counted from the ORM's query events). */
  databaseQueries: WindowThreshold;
  /** Share of finished runs that FAILED in the window, once at least `minFinishedRuns` finished. */
  failedRunsRatio: { max: number; windowMs: number; minFinishedRuns: number };
  /** Jobs waiting or delayed in the run queue (only when a queue is available). */
  queueBacklog: { max: number };
}

export const MONITORING_THRESHOLDS: Readonly<MonitoringThresholds> = Object.freeze({
  rateLimitViolations: { max: 10, windowMs: HOUR_MS },
  tokenRefreshFailures: { max: 3, windowMs: 24 * HOUR_MS },
  quotaExceededAttempts: { max: 5, windowMs: 12 * HOUR_MS },
  consentCheckFailures: { max: 5, windowMs: HOUR_MS },
  consentCheckFailuresAllUsers: { max: 50, windowMs: HOUR_MS },
  promptPiiFound: { max: 0, windowMs: HOUR_MS },
  auditChainVerifyEveryMs: HOUR_MS,
  databaseQueries: { max: 1000, windowMs: 5 * MINUTE_MS },
  failedRunsRatio: { max: 0.5, windowMs: HOUR_MS, minFinishedRuns: 5 },
  queueBacklog: { max: 1000 },
});

/**
 * Injection token of the thresholds an app instance uses: a copy of MONITORING_THRESHOLDS, so a
 * test can lower one on its own app without touching the defaults.
 */
export const MONITORING_THRESHOLDS_TOKEN = Symbol('MONITORING_THRESHOLDS');

export function copyThresholds(thresholds: Readonly<MonitoringThresholds> = MONITORING_THRESHOLDS): MonitoringThresholds {
  return structuredClone(thresholds) as MonitoringThresholds;
}
