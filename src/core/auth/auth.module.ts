import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { UsersModule } from '../users/users.module';
import { UserThrottlerGuard } from '../http/user-throttler.guard';
import { AuthGuard } from './auth.guard';
import { JwtVerifier } from './jwt-verifier.service';

@Global()
@Module({
  imports: [JwtModule.register({}), UsersModule],
    // Order matters: the throttler runs after authentication so it can count per user.
  providers: [JwtVerifier, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_GUARD, useClass: UserThrottlerGuard }],
  exports: [JwtVerifier],
})
export class AuthModule {}
