import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RequestUserContext } from '../context/request-user-context';
import { UsersService } from '../users/users.service';
import { AUTH_OPTIONS_KEY, AuthenticatedOptions, IS_PUBLIC_KEY } from './auth.decorators';
import { ForbiddenRoleException, UnauthenticatedException } from './auth.exception';
import { RequestWithUser } from './authenticated-user';
import { JwtVerifier } from './jwt-verifier.service';

/** Global guard: every route needs a valid JWT unless it is marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
    private readonly users: UsersService,
    @Optional() private readonly userContext?: RequestUserContext,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const user = await this.verifier.verify(extractBearerToken(request));
    const options = this.reflector.getAllAndOverride<AuthenticatedOptions | undefined>(AUTH_OPTIONS_KEY, targets) ?? {};
    if (options.admin && !user.isAdmin) throw new ForbiddenRoleException();

    // Before any query of this request, so Monitoring counts them all for this user.
    this.userContext?.setUserId(user.id);
    await this.users.ensureExists(user.id);
    request.user = user;
    return true;
  }
}

export function extractBearerToken(request: RequestWithUser): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
  if (!match) throw new UnauthenticatedException('A bearer token is required in the Authorization header');
  return match[1];
}
