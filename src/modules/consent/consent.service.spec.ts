import { EntityManager } from '@mikro-orm/postgresql';
import { newTestService as buildTestService } from '../../../test/utils/new-test-service';
import { Clock, ManualClock } from '../../core/clock/clock';
import { Subscription } from '../billing/entities/subscription.entity';
import { SubscriptionsRepository } from '../billing/subscriptions.repository';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { OAuthToken } from './entities/oauth-token.entity';

const DAY = 24 * 60 * 60 * 1000;
const GRANTED = new Date('2026-01-01T00:00:00Z');

function newTestService(token: Partial<OAuthToken> | null, subscription: Partial<Subscription> | null) {
  const clock = new ManualClock(GRANTED.getTime() + DAY);
  const { sut, mocks } = buildTestService(ConsentService, [{ provide: Clock, useValue: clock }]);
  mocks.get(EntityManager).fork.mockReturnThis();
  mocks.get(ConsentRepository).findTokenInTransaction.mockResolvedValue(token ? Object.assign(new OAuthToken(), token) : null);
  mocks.get(SubscriptionsRepository).findCurrent.mockResolvedValue(subscription ? Object.assign(new Subscription(), subscription) : null);
  return { sut, clock };
}

const liveToken: Partial<OAuthToken> = { grantedAt: GRANTED, accessTokenCiphertext: 'v1:k:a:b:c', scopes: ['tweet.read'], revokedAt: null };
const active: Partial<Subscription> = { tier: 'pro', status: 'active', cancelledAt: null };

describe(ConsentService.name, () => {
  describe('assertConsent', () => {
    it('should pass with a live connection and an active subscription', async () => {
      await expect(newTestService(liveToken, active).sut.assertConsent('alice')).resolves.toBeUndefined();
    });

    it('should refuse CONSENT_REQUIRED without a token or with a revoked one', async () => {
      await expect(newTestService(null, active).sut.assertConsent('alice')).rejects.toMatchObject({ code: 'CONSENT_REQUIRED', statusCode: 403 });
      await expect(
        newTestService({ ...liveToken, revokedAt: new Date(), accessTokenCiphertext: '' }, active).sut.assertConsent('alice'),
      ).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    });

    it('should refuse CONSENT_EXPIRED exactly 365 days after the grant', async () => {
      const { sut, clock } = newTestService(liveToken, active);
      clock.set(GRANTED.getTime() + 365 * DAY - 1);
      await expect(sut.assertConsent('alice')).resolves.toBeUndefined();

      clock.set(GRANTED.getTime() + 365 * DAY);

      await expect(sut.assertConsent('alice')).rejects.toMatchObject({ code: 'CONSENT_EXPIRED', statusCode: 403 });
    });

    it('should refuse SUBSCRIPTION_INACTIVE unless the subscription is active or trialing', async () => {
      await expect(newTestService(liveToken, null).sut.assertConsent('alice')).rejects.toMatchObject({ code: 'SUBSCRIPTION_INACTIVE' });
      await expect(newTestService(liveToken, { ...active, status: 'canceled' }).sut.assertConsent('alice')).rejects.toMatchObject({
        code: 'SUBSCRIPTION_INACTIVE',
      });
      await expect(newTestService(liveToken, { ...active, status: 'trialing' }).sut.assertConsent('alice')).resolves.toBeUndefined();
    });
  });

  describe('getStatus', () => {
    it('should report the connection, its expiry and the subscription', async () => {
      const status = await newTestService(liveToken, { ...active, status: 'canceled', cancelledAt: GRANTED }).sut.getStatus('alice');

      expect(status).toEqual({
        twitter: {
          connected: true,
          grantedAt: GRANTED.toISOString(),
          expiresAt: new Date(GRANTED.getTime() + 365 * DAY).toISOString(),
          scopes: ['tweet.read'],
          revokedAt: null,
        },
        subscription: { tier: 'pro', status: 'canceled', cancelledAt: GRANTED.toISOString() },
      });
    });

    it('should report nothing connected for a new user', async () => {
      expect(await newTestService(null, null).sut.getStatus('alice')).toEqual({
        twitter: { connected: false, grantedAt: null, expiresAt: null, scopes: [], revokedAt: null },
        subscription: null,
      });
    });
  });
});
