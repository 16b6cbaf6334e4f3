// What the Analysis routes do: start an analysis run within the tier's monthly quota, list the
// caller's analyses, and report the quota.
import { Pseudonyms } from '../../core/crypto/pseudonyms';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { RunFlow } from '../../core/jobs/entities/workflow-run.entity';
import { JobName } from '../../core/jobs/job-payloads';
import { RunsService } from '../../core/jobs/runs.service';
import { isActiveSubscription, SubscriptionsRepository } from '../billing/subscriptions.repository';
import { SubscriptionInactiveException } from '../consent/consent.exception';
import { ComplianceEventsService } from '../monitoring/compliance-events.service';
import { ComplianceEventKind } from '../monitoring/entities/compliance-event.entity';
import { ANALYSIS_MONTHLY_QUOTA, quotaMonthOf } from './analysis-quota';
import { AnalysisNotFoundException, QuotaExceededException } from './analysis.exception';
import { AnalysisRepository, openAnalysis } from './analysis.repository';
import { AnalysisDto, AnalysisStartedDto, QuotaDto } from './dto/analysis.dto';
import { ListAnalysesQueryDto } from './dto/list-analyses-query.dto';
import { isUuid } from '../../core/util/is-uuid';

/** Attempts of an analysis run; rate-limit delays do not use them up. */
export const ANALYSIS_MAX_ATTEMPTS = 3;
const DEFAULT_ANALYSES_PAGE = 20;

@Injectable()
export class AnalysisService {
  constructor(
    private readonly em: EntityManager,
    private readonly analyses: AnalysisRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly runs: RunsService,
    private readonly complianceEvents: ComplianceEventsService,
    private readonly pseudonyms: Pseudonyms,
    private readonly clock: Clock,
  ) {}

  /**
   * Admits the run only while the analyses completed this month plus the runs still under way stay
   * below the tier's quota; the decision and the new run are one transaction under the user's
   * quota lock, so concurrent requests cannot overshoot. Refusals are 429 QUOTA_EXCEEDED and are
   * recorded for Monitoring.
   */
  async startAnalysis(userId: string): Promise<AnalysisStartedDto> {
    const now = this.clock.now();
    const month = quotaMonthOf(now);
    const decision = await this.em.transactional(async (em) => {
      await this.analyses.lockQuota(em, userId);
      const subscription = await this.subscriptions.findCurrent(em, userId);
      if (!isActiveSubscription(subscription)) throw new SubscriptionInactiveException();
      const limit = ANALYSIS_MONTHLY_QUOTA[subscription.tier];
      const { used, inFlight } = await this.analyses.quotaUsage(em, userId, this.pseudonyms.of(userId), month);
      if (used + inFlight >= limit) return { admitted: false as const, tier: subscription.tier, used, inFlight, limit };
      const run = await this.runs.createRun(RunFlow.ANALYSIS, JobName.AnalysisSentiment, userId, { userId }, { maxAttempts: ANALYSIS_MAX_ATTEMPTS });
      return { admitted: true as const, runId: run.id };
    });
    if (!decision.admitted) {
      const { tier, used, inFlight, limit } = decision;
      await this.complianceEvents.record(ComplianceEventKind.QUOTA_EXCEEDED, userId, { tier, used, inFlight, limit });
      throw new QuotaExceededException(limit, month.end, now);
    }
    await this.runs.enqueueRun(decision.runId);
    return { runId: decision.runId };
  }

  async listAnalyses(userId: string, query: ListAnalysesQueryDto): Promise<AnalysisDto[]> {
    const before = query.before === undefined ? undefined : await this.analyses.findForUser(userId, query.before);
    if (query.before !== undefined && !before) throw new AnalysisNotFoundException('before');
    const analyses = await this.analyses.listForUser(userId, query.limit ?? DEFAULT_ANALYSES_PAGE, AnalysisDto.FIELDS, before ?? undefined);
    const key = await this.analyses.readKey(userId, analyses);
    return analyses.map((analysis) => AnalysisDto.from(openAnalysis(key, analysis)));
  }

  async getAnalysis(userId: string, id: string): Promise<AnalysisDto> {
    const analysis = isUuid(id) ? await this.analyses.findForUser(userId, id) : null;
    if (!analysis) throw new AnalysisNotFoundException('id');
    return AnalysisDto.from(openAnalysis(await this.analyses.readKey(userId, [analysis]), analysis));
  }

  async getQuota(userId: string): Promise<QuotaDto> {
    const month = quotaMonthOf(this.clock.now());
    const subscription = await this.subscriptions.findCurrent(this.em, userId);
    return {
      tier: subscription?.tier ?? null,
      used: await this.analyses.countInMonth(userId, this.pseudonyms.of(userId), month),
      limit: isActiveSubscription(subscription) ? ANALYSIS_MONTHLY_QUOTA[subscription.tier] : 0,
      resetsAt: month.end.toISOString(),
    };
  }
}
