// Query code of the Twitter module: stored tweets (`twitter_data`), written idempotently.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PersonKey } from '../../core/crypto/content-cipher';
import { listQuery } from '../../core/database/list-query';
import { Tweet } from './entities/tweet.entity';

export interface NewTweetRow {
  tweetId: string;
  /** Already redacted. */
  text: string;
  lang: string | null;
  tweetCreatedAt: Date;
}

/** Rows per insert statement (9 parameters each, well under PostgreSQL's 65535). */
const INSERT_BATCH = 500;

@Injectable()
export class TwitterRepository {
  constructor(private readonly em: EntityManager) {}

  /** Serialises one person's sync requests until the transaction ends. */
  async lockUserSync(em: EntityManager, userId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`twitter-sync:${userId}`]);
  }

  /** The id of the user's newest stored tweet (X ids grow with time), for `since_id`. */
  async newestTweetId(userId: string): Promise<string | undefined> {
    const [row] = await this.em
      .getConnection()
      .execute<{ tweet_id: string }[]>(
        'select tweet_id from twitter_data where user_id = ? order by length(tweet_id) desc, tweet_id desc limit 1',
        [userId],
      );
    return row?.tweet_id;
  }

  /**
   * Inserts the rows the user does not have yet (`on conflict (user_id, tweet_id) do nothing`), so
   * a retried run never stores a tweet twice. Runs in the given transaction (the run's
   * `storeResults`). The text is sealed under the person's data key `key`, bound to the row.
   * Returns how many were new.
   */
  async insertNew(em: EntityManager, key: PersonKey, runId: string, fetchedAt: Date, rows: readonly NewTweetRow[]): Promise<number> {
    const userId = key.userId;
    let inserted = 0;
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      const batch = rows.slice(start, start + INSERT_BATCH);
      const values = batch.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      const params = batch.flatMap((row) => {
        const id = randomUUID();
        return [id, userId, row.tweetId, key.seal('twitter_data', 'text', id, row.text), row.lang, row.tweetCreatedAt, fetchedAt, runId];
      });
      const result = await em.execute<{ tweet_id: string }[]>(
        `insert into twitter_data (id, user_id, tweet_id, text, lang, tweet_created_at, fetched_at, run_id) values ${values} on conflict (user_id, tweet_id) do nothing returning tweet_id`,
        params,
      );
      inserted += result.length;
    }
    return inserted;
  }

  /**
   * The user's tweets, newest first, after the `before` tweet when given: read-only rows of
   * `fields`, not entities (see list-query.ts). `text`, when asked for, is as stored (sealed).
   */
  listForUser<P extends keyof Tweet & string>(
    userId: string,
    limit: number,
    fields: readonly P[],
    before?: Pick<Tweet, 'tweetCreatedAt' | 'tweetId'>,
  ): Promise<Pick<Tweet, P>[]> {
    return listQuery(this.em, Tweet, fields).ownedBy(userId).newestFirst('tweetCreatedAt', 'tweetId', limit, before).rows();
  }

  findByTweetId(userId: string, tweetId: string): Promise<Tweet | null> {
    return this.em.findOne(Tweet, { userId, tweetId, deletedAt: null });
  }

  /** Users who have stored tweets, in id order, `limit` at a time after `afterUserId`. */
  async usersWithTweets(afterUserId: string, limit: number): Promise<string[]> {
    const rows = await this.em
      .getConnection()
      .execute<{ user_id: string }[]>(
        'select distinct user_id from twitter_data where user_id > ? order by user_id limit ?',
        [afterUserId, limit],
      );
    return rows.map((row) => row.user_id);
  }

  /** The user's stored tweet ids (soft-deleted ones included: they still exist here), in id order. */
  async tweetIdsOf(userId: string, afterTweetId: string, limit: number): Promise<string[]> {
    const rows = await this.em
      .getConnection()
      .execute<{ tweet_id: string }[]>(
        'select tweet_id from twitter_data where user_id = ? and tweet_id > ? order by tweet_id limit ?',
        [userId, afterTweetId, limit],
      );
    return rows.map((row) => row.tweet_id);
  }

  /** Hard-deletes the user's copies of these tweets; returns how many rows went. */
  async hardDelete(userId: string, tweetIds: readonly string[]): Promise<number> {
    if (tweetIds.length === 0) return 0;
    return this.em.nativeDelete(Tweet, { userId, tweetId: { $in: [...tweetIds] } });
  }
}
