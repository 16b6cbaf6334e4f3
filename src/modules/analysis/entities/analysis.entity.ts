import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type Sentiment = 'positive' | 'negative' | 'neutral' | 'mixed';
export type TweetSentiments = Array<{ tweetId: string; sentiment: Sentiment; score: number }>;

/** The stored result of one sentiment analysis run. */
@Entity({ tableName: 'analyses' })
@Index({ properties: ['userId', 'createdAt'] })
export class Analysis {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'uuid' })
  runId!: string;

  /** `anthropic`, or `local` for the lexicon analyser used without an API key. */
  @Property({ type: 'text' })
  provider!: 'anthropic' | 'local';

  @Property({ type: 'text' })
  model!: string;

  @Property({ type: 'text' })
  overall!: Sentiment;

  @Property({ type: 'double' })
  score!: number;

  /** Sealed under the person's data key (`c1:...`). */
  @Property({ type: 'text' })
  summary!: string;

  @Property({ type: 'integer' })
  tweetCount!: number;

  /**
   * Per-tweet sentiment: `[{ tweetId, sentiment, score }]`; as stored, that document sealed under
   * the person's data key (a JSON string `c1:...`, see AnalysisRepository).
   */
  @Property({ type: 'json' })
  tweets: TweetSentiments | string = [];

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
