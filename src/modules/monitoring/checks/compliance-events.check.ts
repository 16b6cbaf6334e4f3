// Users who keep hitting a compliance limit: outbound rate-limit rejections, failed token
// refreshes, quota-exceeded attempts and failed consent verifications, each counted per user over
// its own window; and incidents counted across all users (failed consent verifications, prompts
// stopped for personal data).
import { Inject, Injectable } from '@nestjs/common';
import { maskUserId } from '../../../core/redaction/mask-user-id';
import { ComplianceEventKind } from '../entities/compliance-event.entity';
import { MonitoringRepository } from '../monitoring.repository';
import { MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds, WindowThreshold } from '../monitoring.thresholds';
import { AlertCondition, AlertKind, AlertSeverity, CheckOutcome, formatWindow, mergeBySubject, MonitoringCheck } from './alert-condition';

interface ComplianceRule {
  kind: AlertKind;
  event: ComplianceEventKind;
  severity: AlertSeverity;
  /** What was counted, in the plural: "outbound rate-limit rejections". */
  counted: string;
  threshold: (thresholds: MonitoringThresholds) => WindowThreshold;
}

export const COMPLIANCE_RULES: readonly ComplianceRule[] = [
  {
    kind: AlertKind.RATE_LIMIT_VIOLATIONS,
    event: ComplianceEventKind.RATE_LIMIT_REJECTED,
    severity: 'warning',
    counted: 'outbound rate-limit rejections',
    threshold: (thresholds) => thresholds.rateLimitViolations,
  },
  {
    kind: AlertKind.TOKEN_REFRESH_FAILURES,
    event: ComplianceEventKind.TOKEN_REFRESH_FAILED,
    severity: 'warning',
    counted: 'failed X token refreshes',
    threshold: (thresholds) => thresholds.tokenRefreshFailures,
  },
  {
    kind: AlertKind.QUOTA_EXCEEDED_ATTEMPTS,
    event: ComplianceEventKind.QUOTA_EXCEEDED,
    severity: 'warning',
    counted: 'analysis attempts over quota',
    threshold: (thresholds) => thresholds.quotaExceededAttempts,
  },
  {
    kind: AlertKind.CONSENT_CHECK_FAILURES,
    event: ComplianceEventKind.CONSENT_CHECK_FAILED,
    severity: 'critical',
    counted: 'failed consent verifications',
    threshold: (thresholds) => thresholds.consentCheckFailures,
  },
];

/** Counted across everyone: many users each under their own threshold can still be an incident. */
interface GlobalComplianceRule {
  kind: AlertKind;
  event: ComplianceEventKind;
  severity: AlertSeverity;
  subject: string;
  counted: string;
  threshold: (thresholds: MonitoringThresholds) => WindowThreshold;
}

export const GLOBAL_COMPLIANCE_RULES: readonly GlobalComplianceRule[] = [
  {
    kind: AlertKind.CONSENT_CHECK_FAILURES,
    event: ComplianceEventKind.CONSENT_CHECK_FAILED,
    severity: 'critical',
    subject: 'all users',
    counted: 'failed consent verifications across all users',
    threshold: (thresholds) => thresholds.consentCheckFailuresAllUsers,
  },
  {
    kind: AlertKind.PROMPT_PII_FOUND,
    event: ComplianceEventKind.PROMPT_PII_FOUND,
    severity: 'critical',
    subject: 'prompts',
    counted: 'prompts stopped because they still contained personal data',
    threshold: (thresholds) => thresholds.promptPiiFound,
  },
];

@Injectable()
export class ComplianceEventsCheck implements MonitoringCheck {
  readonly name = 'compliance_events';
  readonly kinds = [...new Set([...COMPLIANCE_RULES, ...GLOBAL_COMPLIANCE_RULES].map((rule) => rule.kind))];

  constructor(
    private readonly repository: MonitoringRepository,
    @Inject(MONITORING_THRESHOLDS_TOKEN) private readonly thresholds: MonitoringThresholds,
  ) {}

  async run(now: Date): Promise<CheckOutcome> {
    const conditions: AlertCondition[] = [];
    for (const rule of COMPLIANCE_RULES) {
      const { max, windowMs } = rule.threshold(this.thresholds);
      // The window is (now - windowMs, now]: an event exactly one window old no longer counts.
      const users = await this.repository.countEventsByUser(rule.event, new Date(now.getTime() - windowMs), now, max);
      for (const { userId, count } of users) {
        conditions.push({
          kind: rule.kind,
          severity: rule.severity,
          subject: maskUserId(userId),
          message: `${count} ${rule.counted} in the last ${formatWindow(windowMs)} (threshold ${max})`,
          observed: count,
        });
      }
    }
    for (const rule of GLOBAL_COMPLIANCE_RULES) {
      const { max, windowMs } = rule.threshold(this.thresholds);
      const count = await this.repository.countEvents(rule.event, new Date(now.getTime() - windowMs), now);
      if (count > max) {
        conditions.push({
          kind: rule.kind,
          severity: rule.severity,
          subject: rule.subject,
          message: `${count} ${rule.counted} in the last ${formatWindow(windowMs)} (threshold ${max})`,
          observed: count,
        });
      }
    }
    return { evaluated: [...this.kinds], conditions: mergeBySubject(conditions) };
  }
}
