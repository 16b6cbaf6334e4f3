// The person's X data under /api/twitter: sync (start an ingestion run) and the stored tweets. The
// OAuth routes under the same prefix (connect, callback, connection) belong to Consent, which owns
// the tokens: src/modules/consent/twitter-oauth.controller.ts.
import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../core/auth/auth.decorators';
import { AuthenticatedUser } from '../../core/auth/authenticated-user';
import { RequiresConsent } from '../consent/consent.guard';
import { ListTweetsQueryDto } from './dto/list-tweets-query.dto';
import { SyncStartedDto } from './dto/sync-started.dto';
import { TweetDto } from './dto/tweet.dto';
import { TwitterService } from './twitter.service';

@ApiTags('twitter')
@Controller('api/twitter')
@Authenticated()
export class TwitterController {
  constructor(private readonly twitter: TwitterService) {}

  @Post('sync')
  @HttpCode(202)
  @RequiresConsent()
  @ApiAcceptedResponse({ type: SyncStartedDto, description: 'An ingestion run of your X timeline (the one under way, if any)' })
  sync(@CurrentUser() user: AuthenticatedUser): Promise<SyncStartedDto> {
    return this.twitter.startSync(user.id);
  }

  @Get('tweets')
  @ApiOkResponse({ type: [TweetDto], description: 'Your stored tweets, newest first; page with `before` = the last tweetId' })
  @ApiNotFoundResponse({ description: 'TWEET_NOT_FOUND: `before` names no stored tweet of yours' })
  tweets(@CurrentUser() user: AuthenticatedUser, @Query() query: ListTweetsQueryDto): Promise<TweetDto[]> {
    return this.twitter.listTweets(user.id, query);
  }
}
