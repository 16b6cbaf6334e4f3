import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ToInteger } from '../../../core/http/to-integer';

export const MAX_TWEETS_PAGE = 100;

export class ListTweetsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_TWEETS_PAGE, default: 20 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_TWEETS_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only tweets older than this one of yours: the last tweetId of the previous page', pattern: '^\\d{1,19}$', example: '1790000000000000000' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'before must be a tweet id (1 to 19 digits)' })
  before?: string;
}
