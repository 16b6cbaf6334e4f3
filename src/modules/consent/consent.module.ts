import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { Clock } from '../../core/clock/clock';
import { CryptoModule } from '../../core/crypto/crypto.module';
import { REDIS_CLIENT, RedisModule } from '../../core/redis/redis.module';
import { SchedulingModule } from '../../core/scheduling/scheduling.module';
import { BillingModule } from '../billing/billing.module';
import { ComplianceEventsModule } from '../monitoring/compliance-events.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ConsentNoticesScheduler } from './consent-notices.scheduler';
import { ConsentNoticesService } from './consent-notices.service';
import { ConsentController } from './consent.controller';
import { ConsentGuard } from './consent.guard';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { createOAuthStateStore, OAuthStateStore } from './oauth-state.store';
import { TokenVaultService } from './token-vault.service';
import { TwitterOAuthController } from './twitter-oauth.controller';
import { XConnectionService } from './x-connection.service';
import { XOAuthClient } from './x-oauth.client';
import { PersonalDataModule } from '../../core/personal-data';
import { CONSENT_PERSONAL_DATA } from './consent.personal-data';

/**
 * Consent to use a person's X data: the OAuth connection, encrypted tokens, consent records and
 * the checks (ConsentService.assertConsent, @RequiresConsent()) other modules run before touching
 * X or Anthropic data. Modules using those import this one.
 */
@Module({
  imports: [PersonalDataModule.declare('consent', CONSENT_PERSONAL_DATA), AuditModule, BillingModule, ComplianceEventsModule, CryptoModule, NotificationsModule, RedisModule, SchedulingModule],
  controllers: [TwitterOAuthController, ConsentController],
  providers: [
    ConsentRepository,
    ConsentService,
    ConsentGuard,
    ConsentNoticesService,
    ConsentNoticesScheduler,
    TokenVaultService,
    XConnectionService,
    XOAuthClient,
    { provide: OAuthStateStore, inject: [REDIS_CLIENT, Clock], useFactory: createOAuthStateStore },
  ],
  exports: [ConsentService, ConsentGuard, TokenVaultService, XConnectionService],
})
export class ConsentModule {}
