// The JWKS key set against a local identity provider over real HTTP, with a manual clock for the
// refetch interval: made-up kids cost at most one fetch per 30 s, a rotated key is found by the
// first refetch the interval allows, and an outage keeps the keys already held.
import { randomUUID } from 'node:crypto';
import { UnauthenticatedException } from '../../../src/core/auth/auth.exception';
import { JwksKeyProvider } from '../../../src/core/auth/jwks-key-provider';
import { ManualClock } from '../../../src/core/clock/clock';
import { AppConfig } from '../../../src/core/config/app-config';
import { FakeJwksServer } from '../../fakes/fake-jwks-server';

const REFETCH_INTERVAL_MS = 30_000;

describe(JwksKeyProvider.name, () => {
  let jwks: FakeJwksServer;
  let clock: ManualClock;
  let sut: JwksKeyProvider;

  beforeEach(async () => {
    jwks = new FakeJwksServer();
    const jwksUrl = await jwks.start();
    clock = new ManualClock();
    sut = new JwksKeyProvider({ jwt: { secret: undefined, jwksUrl, issuer: undefined, audience: undefined } } as AppConfig, clock);
  });
  afterEach(async () => {
    sut.onModuleDestroy();
    await jwks.stop();
  });

  it('should fetch the key set once for concurrent first requests and answer held keys from memory', async () => {
    const keys = await Promise.all([sut.getKey('rsa-1', 'RS256'), sut.getKey('ec-1', 'ES256'), sut.getKey('rsa-1', 'RS256')]);
    await sut.getKey('ec-1', 'ES256');

    expect(keys.map((key) => key.asymmetricKeyType)).toEqual(['rsa', 'ec', 'rsa']);
    expect(jwks.requestCount).toBe(1);
  });

  it('should refuse made-up kids without fetching again within the interval, then allow one shared refetch', async () => {
    await sut.getKey('rsa-1', 'RS256');
    clock.advance(REFETCH_INTERVAL_MS - 1);

    const madeUp = () => Array.from({ length: 20 }, () => sut.getKey(randomUUID(), 'RS256'));
    for (const result of await Promise.allSettled(madeUp())) {
      expect(result).toMatchObject({ status: 'rejected', reason: expect.any(UnauthenticatedException) });
    }
    expect(jwks.requestCount).toBe(1);

    clock.advance(1);
    await Promise.allSettled(madeUp());
    expect(jwks.requestCount).toBe(2);
    await expect(sut.getKey('rsa-1', 'RS256')).resolves.toBeDefined();
    expect(jwks.requestCount).toBe(2);
  });

  it('should find a key the provider rotated in with the first refetch the interval allows', async () => {
    await sut.getKey('rsa-1', 'RS256');
    jwks.addKey('RS256', 'rsa-2');

    await expect(sut.getKey('rsa-2', 'RS256')).rejects.toThrow('Invalid token: unknown signing key');
    clock.advance(REFETCH_INTERVAL_MS);
    await expect(sut.getKey('rsa-2', 'RS256')).resolves.toMatchObject({ asymmetricKeyType: 'rsa' });
    expect(jwks.requestCount).toBe(2);
  });

  it('should refuse a held key for another algorithm than its own', async () => {
    await expect(sut.getKey('rsa-1', 'ES256')).rejects.toThrow('does not match the algorithm');
    await expect(sut.getKey('ec-1', 'RS256')).rejects.toThrow('does not match the algorithm');
  });

  it('should keep the held keys through an outage of the identity provider', async () => {
    await sut.getKey('rsa-1', 'RS256');
    jwks.unavailable = true;
    clock.advance(REFETCH_INTERVAL_MS);

    await expect(sut.getKey('unknown-kid', 'RS256')).rejects.toBeInstanceOf(UnauthenticatedException);
    expect(jwks.requestCount).toBe(2);
    await expect(sut.getKey('rsa-1', 'RS256')).resolves.toBeDefined();
  });
});
