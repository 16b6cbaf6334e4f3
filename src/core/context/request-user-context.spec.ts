import { AsyncLocalStorage } from 'node:async_hooks';
import { ClsService } from 'nestjs-cls';
import { RequestUserContext } from './request-user-context';

describe(RequestUserContext.name, () => {
  const cls = new ClsService(new AsyncLocalStorage());
  const sut = new RequestUserContext(cls);

  it('should report no user outside any context and ignore a set there', () => {
    sut.setUserId('alice');
    expect(sut.userId).toBeNull();
  });

  it('should carry the user set inside a context across awaits', async () => {
    const seen = await cls.run(async () => {
      sut.setUserId('alice');
      await new Promise((resolve) => setImmediate(resolve));
      return sut.userId;
    });
    expect(seen).toBe('alice');
  });

  it('should run work as another user without changing the caller’s user', async () => {
    await cls.run(async () => {
      sut.setUserId('alice');
      const inner = await sut.runAs('bob', async () => {
        await Promise.resolve();
        return sut.userId;
      });
      expect(inner).toBe('bob');
      expect(sut.userId).toBe('alice');
    });
  });

  it('should open a context for runAs when none is active', () => {
    expect(sut.runAs('carol', () => sut.userId)).toBe('carol');
    expect(sut.userId).toBeNull();
  });
});
