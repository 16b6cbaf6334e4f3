import { sign } from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { SystemClock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { UnauthenticatedException } from './auth.exception';
import { AuthenticatedUser, RequestWithUser } from './authenticated-user';
import { JwksKeyProvider } from './jwks-key-provider';
import { JwtKeyResolver } from './jwt-key-resolver';
import { JwtStrategy, toUnauthenticated } from './jwt.strategy';
import { mintToken } from './token-issuer';
import { VerifiedTokenCache } from './verified-token-cache';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';

function createStrategy(): { sut: JwtStrategy; keys: JwtKeyResolver } {
  const config = { jwt: { secret: SECRET, jwksUrl: undefined, issuer: undefined, audience: undefined } } as AppConfig;
  const keys = new JwtKeyResolver(config, new JwksKeyProvider(config, new SystemClock()));
  return { sut: new JwtStrategy(config, keys, new VerifiedTokenCache()), keys };
}

/** Runs the strategy as Passport does: on a copy given the success, fail and error actions. */
function authenticate(strategy: JwtStrategy, token: string): Promise<AuthenticatedUser> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as JwtStrategy;
    attempt.success = (user: AuthenticatedUser) => resolve(user);
    attempt.fail = (failure: unknown) => reject(toUnauthenticated(failure));
    attempt.error = (error: Error) => reject(error);
    attempt.authenticate({ headers: { authorization: `Bearer ${token}` } } as RequestWithUser);
  });
}

describe(JwtStrategy.name, () => {
  it('should verify a token once and answer its repeats from the cache', async () => {
    const { sut, keys } = createStrategy();
    const keyFor = jest.spyOn(keys, 'keyFor');
    const token = mintToken(SECRET, { userId: 'alice', admin: true });

    const first = await authenticate(sut, token);
    const second = await authenticate(sut, token);

    expect(first).toEqual({ id: 'alice', isAdmin: true, signedInAt: expect.any(Date) });
    expect(second).toEqual(first);
    expect(keyFor).toHaveBeenCalledTimes(1);
  });

  it('should not remember a token past its expiry', async () => {
    const { sut } = createStrategy();
    // `exp` has whole-second resolution: two seconds ahead leaves at least one full second of
    // validity for the first call, however close to a second boundary the test starts.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = sign({ exp }, SECRET, { algorithm: 'HS256', subject: 'bob' });

    await expect(authenticate(sut, shortLived)).resolves.toEqual({ id: 'bob', isAdmin: false, signedInAt: expect.any(Date) });
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));

    await expect(authenticate(sut, shortLived)).rejects.toThrow('Invalid token: jwt expired');
  });

  it('should not remember a refused token, nor let a forged copy of a remembered one in', async () => {
    const { sut, keys } = createStrategy();
    const keyFor = jest.spyOn(keys, 'keyFor');
    const token = mintToken(SECRET, { userId: 'carol' });
    const forged = mintToken('another-secret-that-is-long-enough-0123456789', { userId: 'carol' });
    await authenticate(sut, token);

    await expect(authenticate(sut, forged)).rejects.toThrow('Invalid token: invalid signature');
    await expect(authenticate(sut, forged)).rejects.toBeInstanceOf(UnauthenticatedException);
    expect(keyFor).toHaveBeenCalledTimes(3);
  });

  it('should refuse alg none, and RS256 when only HS256 is configured, before checking a signature', async () => {
    const { sut } = createStrategy();
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = sign({}, privateKey, { algorithm: 'RS256', subject: 'mallory', expiresIn: 60 });

    await expect(authenticate(sut, unsigned)).rejects.toThrow('Token algorithm is not accepted');
    await expect(authenticate(sut, rs256)).rejects.toThrow('Token algorithm is not accepted');
  });

  it('should refuse a token whose subject is missing or unsafe', async () => {
    const { sut } = createStrategy();
    const noSubject = sign({}, SECRET, { algorithm: 'HS256', expiresIn: 60 });
    const unsafeSubject = sign({}, SECRET, { algorithm: 'HS256', subject: 'alice\n{"admin":true}', expiresIn: 60 });

    await expect(authenticate(sut, noSubject)).rejects.toThrow('sub must be a string');
    await expect(authenticate(sut, unsafeSubject)).rejects.toThrow('sub must be a string');
  });

  it('should refuse a request without a bearer token, saying so', async () => {
    const { sut } = createStrategy();
    await expect(authenticate(sut, '')).rejects.toThrow('A bearer token is required in the Authorization header');
  });
});
