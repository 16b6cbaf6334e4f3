import { JwtService } from '@nestjs/jwt';
import { sign } from 'jsonwebtoken';
import { AppConfig } from '../config/app-config';
import { UnauthenticatedException } from './auth.exception';
import { JwtVerifier } from './jwt-verifier.service';
import { mintToken } from './token-issuer';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';

function createVerifier(): { sut: JwtVerifier; jwt: JwtService } {
  const jwt = new JwtService();
  const config = { jwt: { secret: SECRET, jwksUrl: undefined, issuer: undefined, audience: undefined } } as AppConfig;
  return { sut: new JwtVerifier(jwt, config), jwt };
}

describe(JwtVerifier.name, () => {
  it('should verify a token once and answer its repeats from the cache', async () => {
    const { sut, jwt } = createVerifier();
    const verifyAsync = jest.spyOn(jwt, 'verifyAsync');
    const token = mintToken(SECRET, { userId: 'alice', admin: true });

    const first = await sut.verify(token);
    const second = await sut.verify(token);

    expect(first).toEqual({ id: 'alice', isAdmin: true });
    expect(second).toEqual(first);
    expect(verifyAsync).toHaveBeenCalledTimes(1);
  });

  it('should not remember a token past its expiry', async () => {
    const { sut } = createVerifier();
    // `exp` has whole-second resolution: two seconds ahead leaves at least one full second of
    // validity for the first call, however close to a second boundary the test starts.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = sign({ exp }, SECRET, { algorithm: 'HS256', subject: 'bob' });

    await expect(sut.verify(shortLived)).resolves.toEqual({ id: 'bob', isAdmin: false });
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));

    await expect(sut.verify(shortLived)).rejects.toThrow('Invalid token: jwt expired');
  });

  it('should not remember a refused token, nor let a forged copy of a remembered one in', async () => {
    const { sut, jwt } = createVerifier();
    const verifyAsync = jest.spyOn(jwt, 'verifyAsync');
    const token = mintToken(SECRET, { userId: 'carol' });
    const forged = mintToken('another-secret-that-is-long-enough-0123456789', { userId: 'carol' });
    await sut.verify(token);

    await expect(sut.verify(forged)).rejects.toBeInstanceOf(UnauthenticatedException);
    await expect(sut.verify(forged)).rejects.toBeInstanceOf(UnauthenticatedException);
    expect(verifyAsync).toHaveBeenCalledTimes(3);
  });
});
