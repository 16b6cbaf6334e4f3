// Query code of the Analysis module: analyses, the quota counts and the tweets an analysis reads.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { openContent, PersonKey } from '../../core/crypto/content-cipher';
import { DataKeys } from '../../core/crypto/data-keys';
import { listQuery } from '../../core/database/list-query';
import { RunState } from '../../core/jobs/entities/workflow-run.entity';
import { JobName } from '../../core/jobs/job-payloads';
import type { QuotaMonth } from './analysis-quota';
import { Analysis, TweetSentiments } from './entities/analysis.entity';
import type { PromptTweet } from './sentiment-prompt.builder';

/** An analysis as the person sees it: summary and per-tweet results decrypted. */
export type OpenedAnalysis<T extends Pick<Analysis, 'id' | 'summary' | 'tweets'> = Analysis> = Omit<T, 'tweets'> & { tweets: TweetSentiments };

/** Opens (decrypts) an analysis's sealed columns with the person's key; plain rows from before encryption pass. */
export function openAnalysis<T extends Pick<Analysis, 'id' | 'summary' | 'tweets'>>(key: PersonKey | null, analysis: T): OpenedAnalysis<T> {
  const tweets = analysis.tweets;
  return {
    ...analysis,
    summary: openContent(key, 'analyses', 'summary', analysis.id, analysis.summary),
    tweets: typeof tweets === 'string' ? (JSON.parse(openContent(key, 'analyses', 'tweets', analysis.id, tweets)) as TweetSentiments) : tweets,
  };
}

/** First key of the two-key advisory lock that serialises one user's quota decisions. */
const QUOTA_LOCK_CLASS = 7_316_002;

@Injectable()
export class AnalysisRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly dataKeys: DataKeys,
  ) {}

  /**
   * Holds the user's quota lock until the caller's transaction ends, so two requests cannot both
   * take the last analysis of the month.
   */
  async lockQuota(em: EntityManager, userId: string): Promise<void> {
    const key = createHash('sha256').update(userId).digest().readInt32BE(0);
    await em.execute('select pg_advisory_xact_lock(?, ?)', [QUOTA_LOCK_CLASS, key]);
  }

  /**
   * Runs used in the month: the pseudonymous counter, which erasure does not reset, or the analyses
   * stored (soft-deleted ones too) where those are more (months counted before the counter existed).
   */
  async countInMonth(userId: string, subject: string, month: QuotaMonth): Promise<number> {
    const [row] = await this.em.execute<{ used: number }[]>(
      `select greatest(
         coalesce((select used from analysis_quota_usage where subject = ? and month = ?), 0),
         (select count(*)::int from analyses where user_id = ? and created_at >= ? and created_at < ?)) as used`,
      [subject, monthKey(month), userId, month.start, month.end],
    );
    return row?.used ?? 0;
  }

  /**
   * Counts one run against the month, in the caller's transaction (the one that stores the
   * analysis). Months before the previous one are dropped on the way: nothing needs them.
   */
  async recordQuotaUse(em: EntityManager, subject: string, month: QuotaMonth): Promise<void> {
    const previous = monthKey({ start: new Date(Date.UTC(month.start.getUTCFullYear(), month.start.getUTCMonth() - 1, 1)) });
    await em.execute('delete from analysis_quota_usage where subject = ? and month < ?', [subject, previous]);
    await em.execute(
      `insert into analysis_quota_usage (subject, month, used) values (?, ?, 1)
       on conflict (subject, month) do update set used = analysis_quota_usage.used + 1`,
      [subject, monthKey(month)],
    );
  }

  /**
   * What the quota decision needs, read in one statement (one snapshot): the analyses stored in the
   * month, and the user's analysis runs still pending or running, each of which holds one unit until
   * it ends. A run whose analysis is already stored (it is about to complete) counts once, as stored.
   * Two statements could each miss a run completing between them.
   */
  async quotaUsage(em: EntityManager, userId: string, subject: string, month: QuotaMonth): Promise<{ used: number; inFlight: number }> {
    const [row] = await em.execute<{ used: number; in_flight: number }[]>(
      `select
         greatest(
           coalesce((select used from analysis_quota_usage where subject = ? and month = ?), 0),
           (select count(*)::int from analyses a where a.user_id = ? and a.created_at >= ? and a.created_at < ?)) as used,
         (select count(*)::int from workflow_runs r
           where r.user_id = ? and r.job_name = ? and r.state in (?, ?) and r.deleted_at is null
             and not exists (select 1 from analyses a where a.run_id = r.id)) as in_flight`,
      [subject, monthKey(month), userId, month.start, month.end, userId, JobName.AnalysisSentiment, RunState.PENDING, RunState.RUNNING],
    );
    return { used: row?.used ?? 0, inFlight: row?.in_flight ?? 0 };
  }

  /** The user's newest stored tweets (newest first), their text decrypted. */
  async newestTweets(userId: string, limit: number): Promise<PromptTweet[]> {
    const rows = await this.em.execute<Array<{ id: string; tweet_id: string; text: string }>>(
      'select id, tweet_id, text from twitter_data where user_id = ? and deleted_at is null order by tweet_created_at desc, tweet_id desc limit ?',
      [userId, limit],
    );
    const key = await this.dataKeys.forRead(userId, rows.map((row) => row.text));
    return rows.map((row) => ({ tweetId: row.tweet_id, text: openContent(key, 'twitter_data', 'text', row.id, row.text) }));
  }

  findByRun(runId: string): Promise<Analysis | null> {
    return this.em.findOne(Analysis, { runId });
  }

  /** Stores an analysis with its summary and per-tweet results sealed under the person's data key. */
  async insert(em: EntityManager, analysis: Omit<Analysis, 'id' | 'deletedAt' | 'tweets'> & { tweets: TweetSentiments }): Promise<Analysis> {
    const key = await this.dataKeys.forWrite(em, analysis.userId);
    const entity: Analysis = Object.assign(new Analysis(), analysis);
    entity.summary = key.seal('analyses', 'summary', entity.id, analysis.summary);
    entity.tweets = key.seal('analyses', 'tweets', entity.id, JSON.stringify(analysis.tweets));
    await em.persistAndFlush(entity);
    return entity;
  }

  /** The user's analysis, as stored (sealed): for its id and time, or `openAnalysis` it. */
  findForUser(userId: string, id: string): Promise<Analysis | null> {
    return this.em.findOne(Analysis, { id, userId, deletedAt: null });
  }

  /** The person's key for reading these analyses of theirs. */
  readKey(userId: string, analyses: ReadonlyArray<Pick<Analysis, 'summary'>>): Promise<PersonKey | null> {
    return this.dataKeys.forRead(userId, analyses.map((analysis) => analysis.summary));
  }

  /**
   * The user's analyses, newest first, after the `before` one when given: read-only rows of
   * `fields`, not entities (see list-query.ts), as stored (sealed).
   */
  listForUser<P extends keyof Analysis & string>(
    userId: string,
    limit: number,
    fields: readonly P[],
    before?: Pick<Analysis, 'createdAt' | 'id'>,
  ): Promise<Pick<Analysis, P>[]> {
    return listQuery(this.em.getContext(), Analysis, fields).ownedBy(userId).newestFirst('createdAt', 'id', limit, before).rows();
  }
}

/** The month's first day as `YYYY-MM-DD` (a date column compares exactly with it). */
function monthKey(month: Pick<QuotaMonth, 'start'>): string {
  return month.start.toISOString().slice(0, 10);
}
