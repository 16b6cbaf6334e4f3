// An operator starts one person's ingestion, analysis or export by hand (what the seeds did with
// `prefect deployment run ... -p user_id=...`). It goes through the very services the person's own
// routes call, after the same route-level checks, so the same rules answer the same way: consent
// and an active subscription (403 CONSENT_REQUIRED / CONSENT_EXPIRED / SUBSCRIPTION_INACTIVE) for
// X and Anthropic work, the analysis quota (429 QUOTA_EXCEEDED), the export daily limit (429), and
// "one ingestion or export at a time" (the run under way is answered).
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { JobName } from '../../core/jobs/job-payloads';
import { OPERATOR_AUDIT_CATEGORY } from '../../core/jobs/admin-runs.service';
import { UsersService } from '../../core/users/users.service';
import { AnalysisService } from '../analysis/analysis.service';
import { ConsentService } from '../consent/consent.service';
import { ExportService } from '../export/export.service';
import { TwitterService } from '../twitter/twitter.service';
import { OperatorStartableJob, UserRunStartedDto } from './dto/start-user-run.dto';
import { OperatorUserNotFoundException } from './operator-console.exception';

@Injectable()
export class AdminUserRunsService {
  constructor(
    private readonly users: UsersService,
    private readonly consent: ConsentService,
    private readonly twitter: TwitterService,
    private readonly analysis: AnalysisService,
    private readonly exports: ExportService,
    private readonly audit: AuditService,
  ) {}

  async start(adminId: string, userId: string, job: OperatorStartableJob): Promise<UserRunStartedDto> {
    if (!(await this.users.exists(userId))) throw new OperatorUserNotFoundException();
    const started = await this.startAsThePersonWould(userId, job);
    await this.audit.audit(adminId, 'operator.run.started_for_user', OPERATOR_AUDIT_CATEGORY, { job, userId, runId: started.runId });
    return started;
  }

  private async startAsThePersonWould(userId: string, job: OperatorStartableJob): Promise<UserRunStartedDto> {
    switch (job) {
      case JobName.TwitterIngest:
        // POST /api/twitter/sync: @RequiresConsent, then the service.
        await this.consent.assertConsent(userId);
        return this.twitter.startSync(userId);
      case JobName.AnalysisSentiment:
        // POST /api/analysis/sentiment: @RequiresConsent, then the quota inside the service.
        await this.consent.assertConsent(userId);
        return this.analysis.startAnalysis(userId);
      case JobName.ExportBuild: {
        // POST /api/privacy/export: a right of the person, asked for without consent to processing.
        const { runId } = await this.exports.requestExport(userId);
        return { runId };
      }
    }
  }
}
