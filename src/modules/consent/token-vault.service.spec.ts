import { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { automock, newTestService as buildTestService } from '../../../test/utils/new-test-service';
import { Clock, ManualClock } from '../../core/clock/clock';
import { TokenCipher } from '../../core/crypto/token-cipher';
import { ComplianceEventsService } from '../monitoring/compliance-events.service';
import { ComplianceEventKind } from '../monitoring/entities/compliance-event.entity';
import { ConsentRepository } from './consent.repository';
import { OAuthToken } from './entities/oauth-token.entity';
import { TokenVaultService } from './token-vault.service';
import { XOAuthClient, XOAuthError } from './x-oauth.client';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function newTestService() {
  const clock = new ManualClock(NOW);
  const cipher = new TokenCipher({ encryptionKeys: [{ id: 'k1', key: randomBytes(32) }] });
  const calls: string[] = [];
  const stored = { current: undefined as OAuthToken | undefined };
  const { sut, mocks } = buildTestService(TokenVaultService, [
    { provide: TokenCipher, useValue: cipher },
    { provide: Clock, useValue: clock },
  ]);
  const repository = mocks.get(ConsentRepository);
  repository.findToken.mockImplementation(async () => (stored.current ? Object.assign(new OAuthToken(), stored.current) : null));
  repository.withLockedToken.mockImplementation(async (_userId, work) => {
    calls.push('lock');
    // Like the real transaction: the locked copy is written back only when `work` succeeds.
    const locked = stored.current ? Object.assign(new OAuthToken(), stored.current) : null;
    const result = await work(automock(EntityManager), locked);
    stored.current = locked ?? undefined;
    calls.push('commit');
    return result;
  });
  const x = mocks.get(XOAuthClient);
  const complianceEvents = mocks.get(ComplianceEventsService);
  complianceEvents.record.mockImplementation(async () => {
    calls.push('record');
  });
  const store = (accessToken: string, refreshToken: string, expiresAt: number) => {
    stored.current = Object.assign(new OAuthToken(), {
      userId: 'alice',
      providerUserId: '42',
      ...sut.seal('alice', { accessToken, refreshToken }),
      scopes: ['tweet.read', 'users.read', 'offline.access'],
      accessTokenExpiresAt: new Date(expiresAt),
      grantedAt: new Date(NOW - 1000),
      revokedAt: null,
    });
  };
  return { sut, clock, x, repository, complianceEvents, calls, stored, store, cipher };
}

describe(TokenVaultService.name, () => {
  it('should decrypt a fresh token without refreshing', async () => {
    const { sut, x, store } = newTestService();
    store('access-1', 'refresh-1', NOW + 3600_000);

    expect(await sut.getAccessToken('alice')).toMatchObject({ accessToken: 'access-1', providerUserId: '42' });
    expect(x.refresh).not.toHaveBeenCalled();
  });

  it('should refresh once for concurrent callers and store the new pair encrypted', async () => {
    const { sut, x, store, stored, cipher } = newTestService();
    store('access-1', 'refresh-1', NOW + 30_000);
    x.refresh.mockResolvedValue({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 7200, scopes: [] });

    const tokens = await Promise.all([sut.getAccessToken('alice'), sut.getAccessToken('alice'), sut.getAccessToken('alice')]);

    expect(tokens.map((token) => token.accessToken)).toEqual(['access-2', 'access-2', 'access-2']);
    expect(x.refresh).toHaveBeenCalledTimes(1);
    expect(x.refresh).toHaveBeenCalledWith('refresh-1');
    const row = stored.current as OAuthToken;
    expect(row.accessTokenExpiresAt).toEqual(new Date(NOW + 7200_000));
    expect(row.refreshedAt).toEqual(new Date(NOW));
    expect(row.refreshTokenCiphertext).not.toContain('refresh-2');
    expect(cipher.decrypt(row.refreshTokenCiphertext ?? '', 'oauth_tokens:alice:refresh')).toBe('refresh-2');
  });

  it('should reuse a token another instance refreshed while it waited for the lock', async () => {
    const { sut, x, store, repository } = newTestService();
    store('access-1', 'refresh-1', NOW - 1);
    repository.findToken.mockImplementationOnce(async () => {
      const stale = Object.assign(new OAuthToken(), { userId: 'alice', revokedAt: null, accessTokenCiphertext: 'x', grantedAt: new Date(NOW), accessTokenExpiresAt: new Date(NOW - 1) });
      store('access-from-other-instance', 'refresh-2', NOW + 7200_000);
      return stale;
    });

    expect((await sut.getAccessToken('alice')).accessToken).toBe('access-from-other-instance');
    expect(x.refresh).not.toHaveBeenCalled();
  });

  it('should record a failed refresh after the rollback and raise TOKEN_REFRESH_FAILED', async () => {
    const { sut, x, store, complianceEvents, calls, stored } = newTestService();
    store('access-1', 'refresh-1', NOW - 1);
    const before = stored.current?.refreshTokenCiphertext;
    x.refresh.mockRejectedValue(new XOAuthError('token refresh: X answered 400 invalid_request', 400));

    await expect(sut.getAccessToken('alice')).rejects.toMatchObject({ code: 'TOKEN_REFRESH_FAILED', statusCode: 502 });

    expect(complianceEvents.record).toHaveBeenCalledWith(ComplianceEventKind.TOKEN_REFRESH_FAILED, 'alice', {
      provider: 'x',
      status: 400,
      reason: 'token refresh: X answered 400 invalid_request',
    });
    expect(calls).toEqual(['lock', 'record']);
    expect(stored.current?.refreshTokenCiphertext).toBe(before);
  });

  it('should refuse CONSENT_REQUIRED for a revoked token and CONSENT_EXPIRED after 365 days', async () => {
    const { sut, store, stored, clock } = newTestService();
    store('access-1', 'refresh-1', NOW + 3600_000);
    clock.advance(365 * 24 * 3600_000);
    await expect(sut.getAccessToken('alice')).rejects.toMatchObject({ code: 'CONSENT_EXPIRED' });

    Object.assign(stored.current as OAuthToken, { revokedAt: new Date(NOW), accessTokenCiphertext: '' });

    await expect(sut.getAccessToken('alice')).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
  });
});
