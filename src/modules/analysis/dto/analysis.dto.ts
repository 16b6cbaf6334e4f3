import { ApiProperty } from '@nestjs/swagger';
import { SENTIMENTS } from '../sentiment';
import { Analysis, Sentiment, TweetSentiments } from '../entities/analysis.entity';

export class TweetSentimentDto {
  @ApiProperty({ example: '1790000000000000000' }) tweetId!: string;
  @ApiProperty({ enum: SENTIMENTS }) sentiment!: Sentiment;
  @ApiProperty({ minimum: -1, maximum: 1 }) score!: number;
}

/** What an analysis's response is made of: a row of the list query or an entity, opened (decrypted). */
export type AnalysisFields = Omit<Pick<Analysis, (typeof AnalysisDto.FIELDS)[number]>, 'tweets'> & { tweets: TweetSentiments };

export class AnalysisDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The run that produced it' }) runId!: string;
  @ApiProperty({ enum: ['anthropic', 'local'], description: '`local`: the lexicon analyser used without ANTHROPIC_API_KEY' })
  provider!: Analysis['provider'];
  @ApiProperty({ example: 'claude-sonnet-4-5' }) model!: string;
  @ApiProperty({ enum: SENTIMENTS }) overall!: Sentiment;
  @ApiProperty({ minimum: -1, maximum: 1 }) score!: number;
  @ApiProperty() summary!: string;
  @ApiProperty() tweetCount!: number;
  @ApiProperty({ type: [TweetSentimentDto] }) tweets!: TweetSentimentDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static readonly FIELDS = ['id', 'runId', 'provider', 'model', 'overall', 'score', 'summary', 'tweetCount', 'tweets', 'createdAt'] as const;

  static from(analysis: AnalysisFields): AnalysisDto {
    return {
      id: analysis.id,
      runId: analysis.runId,
      provider: analysis.provider,
      model: analysis.model,
      overall: analysis.overall,
      score: analysis.score,
      summary: analysis.summary,
      tweetCount: analysis.tweetCount,
      tweets: analysis.tweets.map(({ tweetId, sentiment, score }) => ({ tweetId, sentiment, score })),
      createdAt: analysis.createdAt.toISOString(),
    };
  }
}

export class AnalysisStartedDto {
  @ApiProperty({ format: 'uuid', description: 'The analysis run; follow it with GET /api/runs/:id' }) runId!: string;
}

export class QuotaDto {
  @ApiProperty({ enum: ['basic', 'pro'], nullable: true, description: 'null without a subscription' }) tier!: 'basic' | 'pro' | null;
  @ApiProperty({ description: 'Analyses completed this calendar month (UTC)' }) used!: number;
  @ApiProperty({ description: 'Analysis runs the tier allows per calendar month (0 without an active subscription)' }) limit!: number;
  @ApiProperty({ format: 'date-time', description: 'Start of next month, UTC' }) resetsAt!: string;
}
