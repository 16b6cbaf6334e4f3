import { ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { RequestUserContext } from '../context/request-user-context';
import { UsersService } from '../users/users.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AUTH_OPTIONS_KEY, AuthenticatedOptions, IS_PUBLIC_KEY, RECENT_SIGN_IN_KEY } from './auth.decorators';
import { AuthThrottledException, ForbiddenRoleException, ReauthRequiredException, UnauthenticatedException } from './auth.exception';
import { FailedAuthLimiter } from './failed-auth.limiter';
import { AuthenticatedUser, RequestWithUser } from './authenticated-user';
import { extractBearerToken } from './bearer-token';
import { toUnauthenticated } from './jwt.strategy';
import { VerifiedTokenCache } from './verified-token-cache';

/** Global guard: every route needs a valid JWT (the 'jwt' strategy) unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    private readonly failures: FailedAuthLimiter,
    private readonly verifiedTokens: VerifiedTokenCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly userContext?: RequestUserContext,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()])) return true;

    const request = context.switchToHttp().getRequest<RequestWithUser>();
    // A token the strategy verified in the last minute (and that has not expired since) skips
    // Passport's per-request set-up as well as the verification; the route's role and
    // recent-sign-in checks (handleRequest) run on both paths.
    const token = extractBearerToken(request);
    const remembered = token === null ? undefined : this.verifiedTokens.get(token);
    if (remembered) request.user = this.handleRequest(null, remembered, undefined, context);
    else await this.verify(context, request.ip ?? 'unknown');
    const user = request.user!;
    // Before any query of this request, so Monitoring counts them all for this user.
    this.userContext?.setUserId(user.id);
    await this.users.ensureExists(user.id);
    return true;
  }

  /**
   * Verifies the token through Passport, unless the client's address is past its failures: then
   * it is refused before its token is even looked at, so a client that keeps failing costs no
   * verification. A token already verified (above) needs none and is not refused: the block is
   * there to make failures cheap, not to lock out the people who share an address with the client
   * that fails (and it saves every authenticated request a Redis round trip).
   */
  private async verify(context: ExecutionContext, ip: string): Promise<void> {
    const blockedForMs = await this.failures.blockedFor(ip);
    if (blockedForMs > 0) throw new AuthThrottledException(blockedForMs);
    try {
      await super.canActivate(context);
    } catch (error) {
      if (error instanceof UnauthenticatedException) await this.failures.recordFailure(ip);
      throw error;
    }
  }

  /** Passport's verdict: its failures become the app's 401, a user without the route's role a 403. */
  override handleRequest<TUser = AuthenticatedUser>(error: unknown, user: AuthenticatedUser | false, failure: unknown, context: ExecutionContext): TUser {
    // An error (not a failure) comes from `validate` (an UnauthenticatedException) or is unexpected (a 500).
    if (error) throw error;
    if (!user) throw toUnauthenticated(failure);
    const options = this.reflector.getAllAndOverride<AuthenticatedOptions | undefined>(AUTH_OPTIONS_KEY, [context.getHandler(), context.getClass()]);
    if (options?.admin && !user.isAdmin) throw new ForbiddenRoleException();
    if (this.reflector.getAllAndOverride<boolean>(RECENT_SIGN_IN_KEY, [context.getHandler(), context.getClass()])) this.assertRecentSignIn(user);
    return user as TUser;
  }

  /**
   * Against the wall clock, like the token's `exp` (jsonwebtoken checks it against Date.now()):
   * the token's times are the issuer's, not the app's test or CLI clock. A sign-in in the future
   * beyond a minute of skew is no sign-in we can trust either.
   */
  private assertRecentSignIn(user: AuthenticatedUser): void {
    const maxAgeSeconds = this.config.jwt.recentSignInSeconds;
    const ageMs = user.signedInAt ? Date.now() - user.signedInAt.getTime() : Number.POSITIVE_INFINITY;
    if (!(ageMs <= maxAgeSeconds * 1000 && ageMs >= -60_000)) throw new ReauthRequiredException(maxAgeSeconds);
  }
}
