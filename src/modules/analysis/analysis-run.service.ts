// The `analysis.sentiment` run: verify consent and subscription, read the newest stored tweets,
// analyse them (Anthropic with the tier's model, or the local lexicon without an API key),
// validate the answer strictly, then store the result (refs mapped back to tweet ids) and audit it
// in one transaction. A bad answer fails the run and stores nothing.
import { Pseudonyms } from '../../core/crypto/pseudonyms';
import { quotaMonthOf } from './analysis-quota';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { JobName } from '../../core/jobs/job-payloads';
import { OnRun } from '../../core/jobs/on-run.decorator';
import type { RunContext } from '../../core/jobs/run-context';
import type { SubscriptionTier } from '../billing/entities/subscription.entity';
import { SubscriptionsRepository } from '../billing/subscriptions.repository';
import { SubscriptionInactiveException } from '../consent/consent.exception';
import { ConsentService } from '../consent/consent.service';
import { redactText } from '../../core/redaction';
import { RedactionService } from '../redaction/redaction.service';
import { PromptContainsPiiException } from '../redaction';
import { ComplianceEventsService } from '../monitoring/compliance-events.service';
import { ComplianceEventKind } from '../monitoring/entities/compliance-event.entity';
import { NoTweetsToAnalyseError } from './analysis.exception';
import { AnalysisRepository } from './analysis.repository';
import { AnthropicSentimentClient } from './anthropic-sentiment.client';
import { Analysis } from './entities/analysis.entity';
import { analyseWithLexicon, LEXICON_MODEL } from './lexicon-sentiment.analyser';
import { SentimentAnswer } from './sentiment';
import { validateSentimentAnswer } from './sentiment-answer.validator';
import { buildSentimentPrompt, refFor } from './sentiment-prompt.builder';

/** The newest stored tweets one run reads. */
export const TWEETS_PER_ANALYSIS = 100;

export interface AnalysisRunResult {
  analysisId: string;
  provider: Analysis['provider'];
  model: string;
  overall: Analysis['overall'];
  score: number;
  tweetCount: number;
  [key: string]: unknown;
}

@Injectable()
export class AnalysisRunService {
  constructor(
    private readonly em: EntityManager,
    private readonly consent: ConsentService,
    private readonly analyses: AnalysisRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly anthropic: AnthropicSentimentClient,
    private readonly redaction: RedactionService,
    private readonly audit: AuditService,
    private readonly pseudonyms: Pseudonyms,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly complianceEvents: ComplianceEventsService,
  ) {}

  @OnRun(JobName.AnalysisSentiment)
  analyse(ctx: RunContext<JobName.AnalysisSentiment>): Promise<AnalysisRunResult> {
    const { userId } = ctx.payload;
    return this.consent.reportRunRefusals({ runId: ctx.runId, jobName: ctx.jobName, userId }, () => this.analyseTweets(ctx, userId));
  }

  private async analyseTweets(ctx: RunContext<JobName.AnalysisSentiment>, userId: string): Promise<AnalysisRunResult> {
    // A retry after the result was stored (the worker died before completing the run) stores nothing twice.
    const existing = await this.analyses.findByRun(ctx.runId);
    if (existing) return resultOf(existing);

    await this.consent.assertConsent(userId);
    const subscription = await this.subscriptions.findCurrent(this.em, userId);
    if (!subscription) throw new SubscriptionInactiveException();
    await ctx.log('info', `Consent and ${subscription.tier} subscription verified`);

    const tweets = await this.analyses.newestTweets(userId, TWEETS_PER_ANALYSIS);
    if (tweets.length === 0) throw new NoTweetsToAnalyseError();

    let provider: Analysis['provider'];
    let model: string;
    let answer: SentimentAnswer;
    let refs: Map<string, string>;
    if (this.anthropic.isConfigured) {
      provider = 'anthropic';
      model = this.modelFor(subscription.tier);
      const prompt = await this.buildPrompt(userId, tweets);
      refs = prompt.refs;
      await ctx.log('info', `Prompt built from ${tweets.length} tweets (PII replaced, pre-send check passed); asking ${model}`);
      const input = await this.anthropic.recordSentiment(userId, model, prompt, ctx.signal);
      answer = validateSentimentAnswer(input, [...refs.keys()]);
    } else {
      provider = 'local';
      model = LEXICON_MODEL;
      refs = new Map(tweets.map((tweet, index) => [refFor(index), tweet.tweetId]));
      await ctx.log('info', `No ANTHROPIC_API_KEY: analysing ${tweets.length} tweets with the local lexicon`);
      answer = validateSentimentAnswer(
        analyseWithLexicon(tweets.map((tweet, index) => ({ ref: refFor(index), text: tweet.text }))),
        [...refs.keys()],
      );
    }
    ctx.throwIfAborted();

    const analysis = await ctx.storeResults(async (em) => {
      await this.consent.assertConsent(userId, em, { lockToken: true });
      const stored = await this.analyses.insert(em, {
        userId,
        runId: ctx.runId,
        provider,
        model,
        overall: answer.overall,
        score: answer.score,
        summary: redactText(answer.summary, 'log').text,
        tweetCount: answer.tweets.length,
        tweets: answer.tweets.map((tweet) => ({ tweetId: refs.get(tweet.ref) as string, sentiment: tweet.sentiment, score: tweet.score })),
        createdAt: this.clock.now(),
      });
      await this.analyses.recordQuotaUse(em, this.pseudonyms.of(userId), quotaMonthOf(stored.createdAt));
      await this.audit.audit(userId, 'Sentiment analysis completed', 'analysis', {
        analysisId: stored.id,
        provider,
        model,
        tweetCount: stored.tweetCount,
      });
      return stored;
    });
    await ctx.log('info', `Stored analysis ${analysis.id} (${analysis.overall}, ${analysis.tweetCount} tweets)`);
    return resultOf(analysis);
  }

  /** A prompt the pre-send check stops is a compliance incident Monitoring alerts on (entity types only). */
  private async buildPrompt(userId: string, tweets: Parameters<typeof buildSentimentPrompt>[0]): Promise<ReturnType<typeof buildSentimentPrompt>> {
    try {
      return buildSentimentPrompt(tweets, this.redaction.createPromptSanitizer());
    } catch (error) {
      if (error instanceof PromptContainsPiiException) {
        await this.complianceEvents.record(ComplianceEventKind.PROMPT_PII_FOUND, userId, { message: error.message }).catch(() => undefined);
      }
      throw error;
    }
  }

  private modelFor(tier: SubscriptionTier): string {
    switch (tier) {
      case 'basic':
        return this.config.anthropic.modelBasic;
      case 'pro':
        return this.config.anthropic.modelPro;
    }
  }
}

function resultOf(analysis: Analysis): AnalysisRunResult {
  return {
    analysisId: analysis.id,
    provider: analysis.provider,
    model: analysis.model,
    overall: analysis.overall,
    score: analysis.score,
    tweetCount: analysis.tweetCount,
  };
}
