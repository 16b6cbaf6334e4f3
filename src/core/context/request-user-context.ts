// Who the current work is for, carried through async calls (nestjs-cls, AsyncLocalStorage): the
// AuthGuard sets it for a request, run handlers set it with `runAs`. Monitoring reads it to count
// database queries per user without passing the id through every call.
import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';

const USER_ID_KEY = Symbol('repazoo.userId');

@Injectable()
export class RequestUserContext {
  constructor(private readonly cls: ClsService) {}

  /** The user of the current request or run; null outside one or for system work. */
  get userId(): string | null {
    if (!this.cls.isActive()) return null;
    const value: unknown = this.cls.get(USER_ID_KEY);
    return typeof value === 'string' ? value : null;
  }

  /**
   * Sets the user of the current context (a request's context opens in middleware). Outside any
   * context there is nothing to attach it to: use `runAs` there.
   */
  setUserId(userId: string | null): void {
    if (this.cls.isActive()) this.cls.set(USER_ID_KEY, userId);
  }

  /** Runs `fn` with `userId` as the current user, in a child context that leaves the caller's untouched. */
  runAs<T>(userId: string | null, fn: () => T): T {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set(USER_ID_KEY, userId);
      return fn();
    });
  }
}
