// The X OAuth 2.0 routes under /api/twitter: connect, the callback and disconnecting. Consent owns
// them with the tokens they produce; the person's X data (sync, tweets) is served by
// src/modules/twitter/twitter.controller.ts under the same prefix.
import { Controller, Delete, Get, HttpCode, Query, Redirect, Req } from '@nestjs/common';
import { ApiFoundResponse, ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser, Public } from '../../core/auth/auth.decorators';
import { AuthenticatedUser, RequestWithUser } from '../../core/auth/authenticated-user';
import { AuthorizeUrlDto } from './dto/authorize-url.dto';
import { XConnectionService } from './x-connection.service';

@ApiTags('consent')
@Controller('api/twitter')
export class TwitterOAuthController {
  constructor(private readonly connections: XConnectionService) {}

  @Get('connect')
  @Authenticated()
  @ApiOkResponse({ type: AuthorizeUrlDto })
  @ApiServiceUnavailableResponse({ description: 'TWITTER_NOT_CONFIGURED' })
  connect(@CurrentUser() user: AuthenticatedUser): Promise<AuthorizeUrlDto> {
    return this.connections.startAuthorization(user.id);
  }

  @Get('callback')
  @Public()
  @Redirect()
  @ApiQuery({ name: 'state', type: String, required: false })
  @ApiQuery({ name: 'code', type: String, required: false })
  @ApiQuery({ name: 'error', type: String, required: false })
  @ApiFoundResponse({
    description: 'To /settings/privacy?connected=x, or /settings/privacy?error=<STATE_INVALID|ACCESS_DENIED|AUTHORIZATION_FAILED|TOKEN_EXCHANGE_FAILED|TWITTER_NOT_CONFIGURED>',
  })
  async callback(
    @Req() request: RequestWithUser,
    @Query('state') state: unknown,
    @Query('code') code: unknown,
    @Query('error') error: unknown,
  ): Promise<{ url: string; statusCode: number }> {
    // The query carries a one-time code and state: keep them out of the request log line.
    request.originalUrl = request.originalUrl.split('?')[0];
    const url = await this.connections.completeAuthorization({ state: single(state), code: single(code), error: single(error) });
    return { url, statusCode: 302 };
  }

  @Delete('connection')
  @Authenticated()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked at X and here (idempotent)' })
  async disconnect(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.connections.disconnect(user.id);
  }
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
