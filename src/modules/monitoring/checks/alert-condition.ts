// The vocabulary shared by the checks and the alert store: what a check found, and which alert
// kinds it actually evaluated (a check that could not run must not resolve its open alerts).
import type { Alert } from '../entities/alert.entity';

export type AlertSeverity = Alert['severity'];
export type AlertStatus = Alert['status'];

export enum AlertKind {
  RATE_LIMIT_VIOLATIONS = 'rate_limit_violations',
  TOKEN_REFRESH_FAILURES = 'token_refresh_failures',
  QUOTA_EXCEEDED_ATTEMPTS = 'quota_exceeded_attempts',
  DATABASE_ACCESS_ANOMALY = 'database_access_anomaly',
  DATABASE_UNAVAILABLE = 'database_unavailable',
  REDIS_UNAVAILABLE = 'redis_unavailable',
  FAILED_RUNS_RATIO = 'failed_runs_ratio',
  QUEUE_BACKLOG = 'queue_backlog',
  DATA_REQUESTS_DUE_SOON = 'data_requests_due_soon',
  DATA_REQUESTS_OVERDUE = 'data_requests_overdue',
  /** Failed consent verifications (ConsentGuard refusals and runs' consent checks) over threshold. */
  CONSENT_CHECK_FAILURES = 'consent_check_failures',
  /** The prompt sanitizer's pre-send check found personal data in a prompt and stopped it. */
  PROMPT_PII_FOUND = 'prompt_pii_found',
  /** The audit log's hash chain no longer verifies (an entry changed or went missing). */
  AUDIT_CHAIN_BROKEN = 'audit_chain_broken',
  /** An alert channel keeps failing; announced on the other channels. Its subject is the channel's name. */
  ALERT_CHANNEL_FAILING = 'alert_channel_failing',
}

/** A condition that holds now: one open alert per (kind, subject). */
export interface AlertCondition {
  kind: AlertKind;
  severity: AlertSeverity;
  /** A masked user id (`****abcd`) or a system part (`database`, `redis`, `runs`, `queue`). */
  subject: string;
  /** Counts and thresholds only: never personal data. */
  message: string;
  /** The measured value that crossed the threshold (a count or a ratio). */
  observed: number;
}

export interface CheckOutcome {
  /** The kinds this check evaluated: their open alerts without a condition here are resolved. */
  evaluated: AlertKind[];
  conditions: AlertCondition[];
}

/** One use case of the monitoring check; `run` may throw, which leaves its alerts untouched. */
export interface MonitoringCheck {
  readonly name: string;
  /** The kinds `run` evaluates when it succeeds. */
  readonly kinds: readonly AlertKind[];
  run(now: Date): Promise<CheckOutcome>;
}

export const MONITORING_CHECKS = Symbol('MONITORING_CHECKS');

/** `1 h`, `24 h`, `5 min`: how windows read in alert messages. */
export function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Several users can share a masked subject (same last 4 characters): one alert then stands for
 * all of them, carrying the worst case.
 */
export function mergeBySubject(conditions: AlertCondition[]): AlertCondition[] {
  const bySubject = new Map<string, AlertCondition>();
  for (const condition of conditions) {
    const key = alertKey(condition);
    const current = bySubject.get(key);
    if (!current || condition.observed > current.observed) bySubject.set(key, condition);
  }
  return [...bySubject.values()];
}

/** What makes two alerts the same while open. */
export function alertKey({ kind, subject }: { kind: string; subject: string }): string {
  return `${kind}\u0000${subject}`;
}
