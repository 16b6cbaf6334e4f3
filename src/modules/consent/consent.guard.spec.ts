import { ExecutionContext } from '@nestjs/common';
import { newTestService } from '../../../test/utils/new-test-service';
import { ConsentExpiredException } from './consent.exception';
import { ConsentGuard } from './consent.guard';
import { ConsentService } from './consent.service';

const contextWith = (user: unknown) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ user }) }) }) as unknown as ExecutionContext;

describe(ConsentGuard.name, () => {
  it('should let the request through when consent holds', async () => {
    const { sut, mocks } = newTestService(ConsentGuard);
    const consent = mocks.get(ConsentService);
    consent.assertConsent.mockResolvedValue(undefined);

    await expect(sut.canActivate(contextWith({ id: 'alice', isAdmin: false }))).resolves.toBe(true);
    expect(consent.assertConsent).toHaveBeenCalledWith('alice');
  });

  it('should pass on the refusal code of ConsentService', async () => {
    const { sut, mocks } = newTestService(ConsentGuard);
    mocks.get(ConsentService).assertConsent.mockRejectedValue(new ConsentExpiredException());

    await expect(sut.canActivate(contextWith({ id: 'alice', isAdmin: false }))).rejects.toMatchObject({ code: 'CONSENT_EXPIRED', statusCode: 403 });
  });

  it('should refuse with 401 when no user was authenticated', async () => {
    const { sut } = newTestService(ConsentGuard);

    await expect(sut.canActivate(contextWith(undefined))).rejects.toMatchObject({ statusCode: 401 });
  });
});
