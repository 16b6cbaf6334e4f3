// The X OAuth 2.0 routes under /api/twitter: connect, the callback and disconnecting. Consent owns
// them with the tokens they produce; the person's X data (sync, tweets) is served by
// src/modules/twitter/twitter.controller.ts under the same prefix.
import { Controller, Delete, Get, HttpCode, Inject, Query, Redirect, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiFoundResponse, ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser, Public } from '../../core/auth/auth.decorators';
import { AuthenticatedUser, RequestWithUser } from '../../core/auth/authenticated-user';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { OAUTH_BROWSER_COOKIE, OAUTH_CALLBACK_PATH, OAUTH_STATE_TTL_MS } from './consent.constants';
import { AuthorizeUrlDto } from './dto/authorize-url.dto';
import { XConnectionService } from './x-connection.service';

@ApiTags('consent')
@Controller('api/twitter')
export class TwitterOAuthController {
  constructor(
    private readonly connections: XConnectionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('connect')
  @Authenticated()
  @ApiOkResponse({ type: AuthorizeUrlDto })
  @ApiServiceUnavailableResponse({ description: 'TWITTER_NOT_CONFIGURED' })
  async connect(@CurrentUser() user: AuthenticatedUser, @Res({ passthrough: true }) response: Response): Promise<AuthorizeUrlDto> {
    const { authorizeUrl, browserNonce } = await this.connections.startAuthorization(user.id);
    // SameSite=Lax: sent on X's top-level redirect back, never on a cross-site subrequest.
    response.cookie(OAUTH_BROWSER_COOKIE, browserNonce, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.publicBaseUrl.startsWith('https:'),
      path: OAUTH_CALLBACK_PATH,
      maxAge: OAUTH_STATE_TTL_MS,
    });
    return { authorizeUrl };
  }

  @Get('callback')
  @Public()
  @Redirect()
  @ApiQuery({ name: 'state', type: String, required: false })
  @ApiQuery({ name: 'code', type: String, required: false })
  @ApiQuery({ name: 'error', type: String, required: false })
  @ApiFoundResponse({
    description:
      'To /settings/privacy?connected=x, or /settings/privacy?error=<STATE_INVALID|BROWSER_MISMATCH|X_ACCOUNT_IN_USE|ACCESS_DENIED|AUTHORIZATION_FAILED|TOKEN_EXCHANGE_FAILED|TWITTER_NOT_CONFIGURED>',
  })
  async callback(
    @Req() request: RequestWithUser,
    @Res({ passthrough: true }) response: Response,
    @Query('state') state: unknown,
    @Query('code') code: unknown,
    @Query('error') error: unknown,
  ): Promise<{ url: string; statusCode: number }> {
    // The query carries a one-time code and state: keep them out of the request log line.
    request.originalUrl = request.originalUrl.split('?')[0];
    const browserNonce = cookieValue(request.headers.cookie, OAUTH_BROWSER_COOKIE);
    response.clearCookie(OAUTH_BROWSER_COOKIE, { path: OAUTH_CALLBACK_PATH });
    const url = await this.connections.completeAuthorization({ state: single(state), code: single(code), error: single(error), browserNonce });
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

/** One cookie's value from a Cookie header (one pass over a header Node already bounds in size). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator !== -1 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim() || undefined;
  }
  return undefined;
}
