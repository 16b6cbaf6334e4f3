import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { RequestContextModule } from '../context/request-context.module';
import { RedisModule } from '../redis/redis.module';
import { UsersModule } from '../users/users.module';
import { UserThrottlerGuard } from '../http/user-throttler.guard';
import { JwtAuthGuard } from './auth.guard';
import { FailedAuthLimiter } from './failed-auth.limiter';
import { JwksKeyProvider } from './jwks-key-provider';
import { JwtKeyResolver } from './jwt-key-resolver';
import { JwtStrategy } from './jwt.strategy';
import { VerifiedTokenCache } from './verified-token-cache';
import { PersonalDataModule } from '../personal-data';
import { AUTH_PERSONAL_DATA } from './auth.personal-data';

/**
 * The global JWT guard (APP_GUARD: it guards every route wherever this module is imported) and the
 * passport-jwt strategy. Exports PassportModule, whose options a module needs to run its own
 * `AuthGuard('jwt')` subclass (Monitoring's metrics guard).
 * The user throttler guard is registered here so it runs after authentication; its options and
 * storage come from `ThrottlerModule.forRootAsync` in AppModule (global by @nestjs/throttler's design).
 */
@Module({
  imports: [PersonalDataModule.declare('auth', AUTH_PERSONAL_DATA), PassportModule.register({ defaultStrategy: 'jwt', session: false }), UsersModule, RequestContextModule, RedisModule],
  providers: [
    JwksKeyProvider,
    FailedAuthLimiter,
    JwtKeyResolver,
    JwtStrategy,
    VerifiedTokenCache,
    // Order matters: the throttler runs after authentication so it can count per user.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: UserThrottlerGuard },
  ],
  exports: [PassportModule],
})
export class AuthModule {}
