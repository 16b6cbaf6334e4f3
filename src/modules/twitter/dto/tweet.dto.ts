import { ApiProperty } from '@nestjs/swagger';
import { Tweet } from '../entities/tweet.entity';

/** What a tweet's response is made of: an entity or a row of the list query. */
export type TweetFields = Pick<Tweet, (typeof TweetDto.FIELDS)[number]>;

export class TweetDto {
  static readonly FIELDS = ['tweetId', 'text', 'lang', 'tweetCreatedAt', 'fetchedAt'] as const;

  @ApiProperty({ description: "X's tweet id", example: '1790000000000000000' }) tweetId!: string;
  @ApiProperty({ description: 'The text as stored: emails, phone numbers, URLs and other PII replaced by [TYPE]' }) text!: string;
  @ApiProperty({ type: String, nullable: true, example: 'en' }) lang!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When it was posted on X' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When this copy was fetched' }) fetchedAt!: string;

  static from(tweet: TweetFields): TweetDto {
    return {
      tweetId: tweet.tweetId,
      text: tweet.text,
      lang: tweet.lang ?? null,
      createdAt: tweet.tweetCreatedAt.toISOString(),
      fetchedAt: tweet.fetchedAt.toISOString(),
    };
  }
}
