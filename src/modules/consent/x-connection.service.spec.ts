import { EntityManager } from '@mikro-orm/postgresql';
import { newTestService as buildTestService } from '../../../test/utils/new-test-service';
import { AuditService } from '../../core/audit/audit.service';
import { Clock, ManualClock } from '../../core/clock/clock';
import { ConsentRepository } from './consent.repository';
import { OAuthToken } from './entities/oauth-token.entity';
import { MemoryOAuthStateStore, OAuthStateStore } from './oauth-state.store';
import { TokenVaultService } from './token-vault.service';
import { XConnectionService } from './x-connection.service';
import { XOAuthClient, XOAuthError } from './x-oauth.client';

function newTestService() {
  const clock = new ManualClock(Date.parse('2026-06-01T12:00:00Z'));
  const states = new MemoryOAuthStateStore(clock);
  const { sut, mocks } = buildTestService(XConnectionService, [
    { provide: Clock, useValue: clock },
    { provide: OAuthStateStore, useValue: states },
  ]);
  const em = mocks.get(EntityManager);
  em.fork.mockReturnThis();
  em.transactional.mockImplementation(async (work) => work(em));
  const locked = { current: null as OAuthToken | null };
  const repository = mocks.get(ConsentRepository);
  repository.withLockedToken.mockImplementation(async (_userId, work) => work(em, locked.current));
  repository.upsertToken.mockResolvedValue(undefined);
  const vault = mocks.get(TokenVaultService);
  vault.seal.mockReturnValue({ accessTokenCiphertext: 'v1:k:a', refreshTokenCiphertext: 'v1:k:r', keyId: 'k' });
  vault.unseal.mockReturnValue({ accessToken: 'access', refreshToken: 'refresh' });
  const x = mocks.get(XOAuthClient);
  x.isConfigured.mockReturnValue(true);
  x.createAuthorizationLink.mockReturnValue({ url: 'https://x.test/authorize?state=s1', state: 's1', codeVerifier: 'verifier' });
  x.exchangeCode.mockResolvedValue({ accessToken: 'access', refreshToken: 'refresh', expiresIn: 7200, scopes: ['tweet.read'], providerUserId: '42' });
  x.revoke.mockResolvedValue(undefined);
  const audit = mocks.get(AuditService);
  audit.audit.mockResolvedValue(undefined);
  repository.isXAccountConnectedElsewhere.mockResolvedValue(false);
  return { sut, clock, repository, x, audit, locked };
}

describe(XConnectionService.name, () => {
  it('should keep the verifier server-side and answer the authorize URL and the browser nonce for the cookie', async () => {
    const { sut } = newTestService();

    expect(await sut.startAuthorization('alice')).toEqual({
      authorizeUrl: 'https://x.test/authorize?state=s1',
      browserNonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('should refuse a callback without the starting browser’s nonce, before exchanging the code', async () => {
    const { sut, x, repository } = newTestService();
    await sut.startAuthorization('alice');

    expect(await sut.completeAuthorization({ state: 's1', code: 'c1', browserNonce: 'another-browser' })).toBe('/settings/privacy?error=BROWSER_MISMATCH');
    expect(x.exchangeCode).not.toHaveBeenCalled();
    expect(repository.upsertToken).not.toHaveBeenCalled();
  });

  it('should refuse an X account another account holds, storing nothing', async () => {
    const { sut, repository } = newTestService();
    const { browserNonce } = await sut.startAuthorization('alice');
    repository.isXAccountConnectedElsewhere.mockResolvedValueOnce(true);

    expect(await sut.completeAuthorization({ state: 's1', code: 'c1', browserNonce })).toBe('/settings/privacy?error=X_ACCOUNT_IN_USE');
    expect(repository.upsertToken).not.toHaveBeenCalled();
  });

  it('should refuse to start with TWITTER_NOT_CONFIGURED when X has no client id', async () => {
    const { sut, x } = newTestService();
    x.isConfigured.mockReturnValue(false);

    await expect(sut.startAuthorization('alice')).rejects.toMatchObject({ code: 'TWITTER_NOT_CONFIGURED', statusCode: 503 });
  });

  it('should store tokens and consent for the user bound to the state, once', async () => {
    const { sut, x, repository, audit } = newTestService();
    const { browserNonce } = await sut.startAuthorization('alice');

    expect(await sut.completeAuthorization({ state: 's1', code: 'c1', browserNonce })).toBe('/settings/privacy?connected=x');
    expect(await sut.completeAuthorization({ state: 's1', code: 'c1', browserNonce })).toBe('/settings/privacy?error=STATE_INVALID');

    expect(x.exchangeCode).toHaveBeenCalledTimes(1);
    expect(x.exchangeCode).toHaveBeenCalledWith('c1', 'verifier');
    expect(repository.upsertToken).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ userId: 'alice', providerUserId: '42', keyId: 'k' }));
    expect(repository.addConsentRecord).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ userId: 'alice', action: 'granted', privacyNoticeVersion: '2026-11-01' }),
    );
    expect(audit.audit).toHaveBeenCalledWith('alice', 'consent.granted', 'consent', expect.objectContaining({ provider: 'x' }));
  });

  it('should map X errors and failures to redirect codes', async () => {
    const { sut, x } = newTestService();
    const begin = async () => {
      const { browserNonce } = await sut.startAuthorization('alice');
      return { state: 's1', browserNonce };
    };

    expect(await sut.completeAuthorization({ ...(await begin()), error: 'access_denied' })).toBe('/settings/privacy?error=ACCESS_DENIED');
    expect(await sut.completeAuthorization({ ...(await begin()), error: 'server_error' })).toBe('/settings/privacy?error=AUTHORIZATION_FAILED');
    expect(await sut.completeAuthorization({ ...(await begin()) })).toBe('/settings/privacy?error=AUTHORIZATION_FAILED');
    x.exchangeCode.mockRejectedValueOnce(new XOAuthError('code exchange: X answered 400 invalid_request', 400));
    expect(await sut.completeAuthorization({ ...(await begin()), code: 'bad' })).toBe('/settings/privacy?error=TOKEN_EXCHANGE_FAILED');
  });

  it('should refuse a state older than 10 minutes', async () => {
    const { sut, clock, x } = newTestService();
    await sut.startAuthorization('alice');
    clock.advance(10 * 60 * 1000);

    expect(await sut.completeAuthorization({ state: 's1', code: 'c1' })).toBe('/settings/privacy?error=STATE_INVALID');
    expect(x.exchangeCode).not.toHaveBeenCalled();
  });

  it('should wipe the tokens and record the withdrawal even when X cannot revoke', async () => {
    const { sut, x, locked, repository, audit } = newTestService();
    const token = Object.assign(new OAuthToken(), { userId: 'alice', accessTokenCiphertext: 'v1:k:a', refreshTokenCiphertext: 'v1:k:r', scopes: ['tweet.read'], revokedAt: null });
    locked.current = token;
    x.revoke.mockRejectedValueOnce(new XOAuthError('revoke: X answered 503 Service Unavailable', 503));

    await sut.disconnect('alice');

    expect(token).toMatchObject({ accessTokenCiphertext: '', refreshTokenCiphertext: null, keyId: '', revokedAt: expect.any(Date) });
    expect(repository.addConsentRecord).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ action: 'withdrawn' }));
    expect(audit.audit).toHaveBeenCalledWith('alice', 'consent.withdrawn', 'consent', expect.objectContaining({ xRevocation: 'failed' }));
  });

  it('should change nothing when already revoked', async () => {
    const { sut, x, locked, repository, audit } = newTestService();
    locked.current = Object.assign(new OAuthToken(), { userId: 'alice', revokedAt: new Date() });

    await sut.disconnect('alice');

    expect(x.revoke).not.toHaveBeenCalled();
    expect(repository.addConsentRecord).not.toHaveBeenCalled();
    expect(audit.audit).not.toHaveBeenCalled();
  });
});
