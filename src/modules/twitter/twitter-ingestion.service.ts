// The `twitter.ingest` run: verify consent, get the user's token (refreshed by the vault when it
// is about to expire), fetch their timeline since the newest stored tweet, redact PII from the
// text, store what is new with its retention metadata, and audit. Each step is logged to the run.
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { DataKeys } from '../../core/crypto/data-keys';
import { JobName } from '../../core/jobs/job-payloads';
import { OnRun } from '../../core/jobs/on-run.decorator';
import type { RunContext } from '../../core/jobs/run-context';
import { ConsentService } from '../consent/consent.service';
import { TokenVaultService } from '../consent/token-vault.service';
import { redactText } from '../../core/redaction';
import { NewTweetRow, TwitterRepository } from './twitter.repository';
import { XApiClient, XCredentials, XTimelineTweet } from './x-api.client';

/** X serves at most the newest 3200 tweets of a timeline; one run never fetches more. */
export const MAX_TWEETS_PER_RUN = 3200;

export interface IngestionResult {
  /** Tweets X returned in this run. */
  fetched: number;
  /** Of those, the ones that were new and got stored. */
  stored: number;
  /** True when the cap stopped the run before X ran out of pages. */
  truncated: boolean;
  [key: string]: unknown;
}

@Injectable()
export class TwitterIngestionService {
  constructor(
    private readonly consent: ConsentService,
    private readonly vault: TokenVaultService,
    private readonly x: XApiClient,
    private readonly tweets: TwitterRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly dataKeys: DataKeys,
  ) {}

  @OnRun(JobName.TwitterIngest)
  ingest(ctx: RunContext<JobName.TwitterIngest>): Promise<IngestionResult> {
    const { userId } = ctx.payload;
    return this.consent.reportRunRefusals({ runId: ctx.runId, jobName: ctx.jobName, userId }, () => this.ingestTimeline(ctx, userId));
  }

  private async ingestTimeline(ctx: RunContext<JobName.TwitterIngest>, userId: string): Promise<IngestionResult> {
    await this.consent.assertConsent(userId);
    await ctx.log('info', 'Consent verified');

    const token = await this.vault.getAccessToken(userId);
    const credentials: XCredentials = { accessToken: token.accessToken, providerUserId: token.providerUserId };
    await ctx.log('info', 'Access token ready');

    const sinceId = await this.tweets.newestTweetId(userId);
    const { tweets, truncated, pages } = await this.fetchTimeline(ctx, userId, credentials, sinceId);
    await ctx.log('info', `Fetched ${tweets.length} tweets in ${pages} pages${sinceId ? ' since the newest stored one' : ''}`);
    ctx.throwIfAborted();

    // Stored only once every page is in: a run delayed half-way (rate limit) starts again from the
    // same since_id instead of skipping the pages it had not reached.
    const rows = tweets.map(toStoredRow);
    const fetchedAt = this.clock.now();
    const stored = await ctx.storeResults(async (em) => {
      await this.consent.assertConsent(userId, em, { lockToken: true });
      const inserted = await this.tweets.insertNew(em, await this.dataKeys.forWrite(em, userId), ctx.runId, fetchedAt, rows);
      await this.audit.audit(userId, 'Tweets ingested', 'twitter', { count: inserted, fetched: tweets.length, runId: ctx.runId });
      return inserted;
    });
    await ctx.log('info', `Stored ${stored} new tweets (PII redacted)`);
    return { fetched: tweets.length, stored, truncated };
  }

  private async fetchTimeline(
    ctx: RunContext<JobName.TwitterIngest>,
    userId: string,
    credentials: XCredentials,
    sinceId: string | undefined,
  ): Promise<{ tweets: XTimelineTweet[]; truncated: boolean; pages: number }> {
    const tweets: XTimelineTweet[] = [];
    let paginationToken: string | undefined;
    let pages = 0;
    do {
      ctx.throwIfAborted();
      const page = await this.x.fetchTimelinePage(userId, credentials, { sinceId, paginationToken });
      pages += 1;
      tweets.push(...page.tweets);
      paginationToken = page.nextToken;
    } while (paginationToken !== undefined && tweets.length < MAX_TWEETS_PER_RUN);
    return { tweets: tweets.slice(0, MAX_TWEETS_PER_RUN), truncated: paginationToken !== undefined, pages };
  }
}

/** Stored text is redacted with the `log` profile: emails, phone numbers, URLs, secrets... never kept. */
export function toStoredRow(tweet: XTimelineTweet): NewTweetRow {
  return { tweetId: tweet.id, text: redactText(tweet.text, 'log').text, lang: tweet.lang, tweetCreatedAt: tweet.createdAt };
}
