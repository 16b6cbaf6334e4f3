// What the Twitter routes do: start an ingestion run (or hand back the one already under way) and
// list the caller's stored tweets.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { openContent } from '../../core/crypto/content-cipher';
import { DataKeys } from '../../core/crypto/data-keys';
import { RunFlow } from '../../core/jobs/entities/workflow-run.entity';
import { JobName } from '../../core/jobs/job-payloads';
import { RunsService } from '../../core/jobs/runs.service';
import { ListTweetsQueryDto } from './dto/list-tweets-query.dto';
import { SyncStartedDto } from './dto/sync-started.dto';
import { TweetDto } from './dto/tweet.dto';
import { TweetNotFoundException } from './twitter.exception';
import { TwitterRepository } from './twitter.repository';

/** Attempts of an ingestion run; rate-limit delays do not use them up. */
export const INGESTION_MAX_ATTEMPTS = 5;
const DEFAULT_TWEETS_PAGE = 20;

@Injectable()
export class TwitterService {
  constructor(
    private readonly em: EntityManager,
    private readonly runs: RunsService,
    private readonly tweets: TwitterRepository,
    private readonly dataKeys: DataKeys,
  ) {}

  /**
   * One ingestion at a time per user: while one is pending or running (perhaps delayed by X's rate
   * limit), asking again returns it instead of queueing a second one that would wait for the same reset.
   */
  async startSync(userId: string): Promise<SyncStartedDto> {
    // Decided under a per-user advisory lock: two requests at once, on one instance or two, would
    // otherwise both find no run under way and start two (found by the cluster test).
    const outcome = await this.em.transactional(async (em) => {
      await this.tweets.lockUserSync(em, userId);
      const unfinished = await this.runs.findUnfinishedRun(userId, JobName.TwitterIngest);
      if (unfinished) return { started: false, runId: unfinished.id };
      const run = await this.runs.createRun(RunFlow.INGESTION, JobName.TwitterIngest, userId, { userId }, { maxAttempts: INGESTION_MAX_ATTEMPTS });
      return { started: true, runId: run.id };
    });
    if (outcome.started) await this.runs.enqueueRun(outcome.runId);
    return { runId: outcome.runId };
  }

  async listTweets(userId: string, query: ListTweetsQueryDto): Promise<TweetDto[]> {
    const before = query.before === undefined ? undefined : await this.tweets.findByTweetId(userId, query.before);
    if (query.before !== undefined && !before) throw new TweetNotFoundException('before');
    const tweets = await this.tweets.listForUser(userId, query.limit ?? DEFAULT_TWEETS_PAGE, ['id', ...TweetDto.FIELDS], before ?? undefined);
    const key = await this.dataKeys.forRead(userId, tweets.map((tweet) => tweet.text));
    return tweets.map((tweet) => TweetDto.from({ ...tweet, text: openContent(key, 'twitter_data', 'text', tweet.id, tweet.text) }));
  }
}
