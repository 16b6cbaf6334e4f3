import { ExecutionContext } from '@nestjs/common';
import { JwksKeyProvider } from '../../../core/auth/jwks-key-provider';
import { JwtKeyResolver } from '../../../core/auth/jwt-key-resolver';
import { JwtStrategy } from '../../../core/auth/jwt.strategy';
import { VerifiedTokenCache } from '../../../core/auth/verified-token-cache';
import { mintToken } from '../../../core/auth/token-issuer';
import { SystemClock } from '../../../core/clock/clock';
import { AppConfig } from '../../../core/config/app-config';
import { MetricsUnauthenticatedException } from '../monitoring.exception';
import { MetricsAccessGuard } from './metrics-access.guard';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

function config(metricsToken: string | undefined): AppConfig {
  return { metricsToken, jwt: { secret: SECRET, jwksUrl: undefined, issuer: undefined, audience: undefined } } as AppConfig;
}

function contextWith(authorization: string | undefined): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }) } as unknown as ExecutionContext;
}

function guard(metricsToken: string | undefined): MetricsAccessGuard {
  const cfg = config(metricsToken);
  // Constructing the strategy registers it with Passport as 'jwt', which the guard authenticates with.
  new JwtStrategy(cfg, new JwtKeyResolver(cfg, new JwksKeyProvider(cfg, new SystemClock())), new VerifiedTokenCache());
  return new MetricsAccessGuard(cfg);
}

describe(MetricsAccessGuard.name, () => {
  const sut = guard(METRICS_TOKEN);

  it('should let the metrics token in', async () => {
    await expect(sut.canActivate(contextWith(`Bearer ${METRICS_TOKEN}`))).resolves.toBe(true);
  });

  it('should let an admin token in', async () => {
    const admin = mintToken(SECRET, { userId: 'root', admin: true });
    await expect(sut.canActivate(contextWith(`Bearer ${admin}`))).resolves.toBe(true);
  });

  it('should refuse a user token with 403', async () => {
    const user = mintToken(SECRET, { userId: 'alice' });
    await expect(sut.canActivate(contextWith(`Bearer ${user}`))).rejects.toMatchObject({ statusCode: 403 });
  });

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer metrics-token-0123456789abcdeX'],
    ['a prefix of the token', `Bearer ${METRICS_TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${METRICS_TOKEN}`],
  ])('should refuse %s with 401', async (_case, header) => {
    await expect(sut.canActivate(contextWith(header))).rejects.toBeInstanceOf(MetricsUnauthenticatedException);
  });

  it('should accept no bearer but an admin token when no metrics token is configured', async () => {
    await expect(guard(undefined).canActivate(contextWith(`Bearer ${METRICS_TOKEN}`))).rejects.toMatchObject({ statusCode: 401 });
    await expect(guard(undefined).canActivate(contextWith('Bearer '))).rejects.toMatchObject({ statusCode: 401 });
  });
});
