import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../users/users.module';
import { UserThrottlerGuard } from '../http/user-throttler.guard';
import { JwtAuthGuard } from './auth.guard';
import { JwksKeyProvider } from './jwks-key-provider';
import { JwtKeyResolver } from './jwt-key-resolver';
import { JwtStrategy } from './jwt.strategy';

@Global()
@Module({
  imports: [PassportModule.register({ defaultStrategy: 'jwt', session: false }), UsersModule],
  providers: [
    JwksKeyProvider,
    JwtKeyResolver,
    JwtStrategy,
    // Order matters: the throttler runs after authentication so it can count per user.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: UserThrottlerGuard },
  ],
  exports: [PassportModule],
})
export class AuthModule {}
