// The audit log's hash chain, verified as GET /api/admin/audit/verify does. A full walk of the log
// is not a 5-minute job on a large log: it runs once per `auditChainVerifyEveryMs` (an hour) per
// instance, and between walks the check evaluates nothing, which leaves the alert as it is.
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../../core/audit/audit.service';
import { MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds } from '../monitoring.thresholds';
import { AlertCondition, AlertKind, CheckOutcome, MonitoringCheck } from './alert-condition';

@Injectable()
export class AuditChainCheck implements MonitoringCheck {
  readonly name = 'audit_chain';
  readonly kinds = [AlertKind.AUDIT_CHAIN_BROKEN];
  private lastVerifiedAt: number | null = null;

  constructor(
    private readonly audit: AuditService,
    @Inject(MONITORING_THRESHOLDS_TOKEN) private readonly thresholds: MonitoringThresholds,
  ) {}

  async run(now: Date): Promise<CheckOutcome> {
    if (this.lastVerifiedAt !== null && Math.abs(now.getTime() - this.lastVerifiedAt) < this.thresholds.auditChainVerifyEveryMs) {
      return { evaluated: [], conditions: [] };
    }
    const report = await this.audit.verifyAuditChain();
    this.lastVerifiedAt = now.getTime();
    const conditions: AlertCondition[] = [];
    if (!report.valid) {
      conditions.push({
        kind: AlertKind.AUDIT_CHAIN_BROKEN,
        severity: 'critical',
        subject: 'audit_log',
        message: `The audit log breaks at batch ${report.brokenAt?.batchId ?? '?'} (entries ${report.brokenAt?.firstSeq ?? '?'}-${report.brokenAt?.lastSeq ?? '?'}: ${report.brokenAt?.reason ?? 'unknown'}) after ${report.checked} verified entries`,
        observed: 1,
      });
    } else if (report.recordedHead && !report.recordedHead.matches) {
      conditions.push({
        kind: AlertKind.AUDIT_CHAIN_BROKEN,
        severity: 'critical',
        subject: 'audit_log',
        message: `The audit log no longer has the head recorded outside the database (batch ${report.recordedHead.id})`,
        observed: 1,
      });
    }
    return { evaluated: [...this.kinds], conditions };
  }

  /** Makes the next run verify again (tests; an operator's verify could call it too). */
  verifyOnNextRun(): void {
    this.lastVerifiedAt = null;
  }
}
