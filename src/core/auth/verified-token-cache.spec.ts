import { VerifiedTokenCache } from './verified-token-cache';

describe(VerifiedTokenCache.name, () => {
  const alice = { id: 'alice', isAdmin: false };
  const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

  afterEach(() => jest.restoreAllMocks());

  it('should answer a remembered token, and only that exact token', () => {
    const sut = new VerifiedTokenCache();
    sut.remember('header.payload.signature', alice, inSeconds(600));

    expect(sut.get('header.payload.signature')).toEqual(alice);
    expect(sut.get('header.payload.signaturf')).toBeUndefined();
    expect(sut.get('header.payload.')).toBeUndefined();
  });

  it('should check exp on every use: a token is forgotten the moment it expires', () => {
    const sut = new VerifiedTokenCache();
    const exp = inSeconds(30);
    sut.remember('token', alice, exp);
    const now = jest.spyOn(Date, 'now');

    now.mockReturnValue(exp * 1000 - 1);
    expect(sut.get('token')).toEqual(alice);
    now.mockReturnValue(exp * 1000);
    expect(sut.get('token')).toBeUndefined();
    // Still gone when the clock is read as earlier again: an expired entry is dropped, not kept.
    now.mockReturnValue(exp * 1000 - 1);
    expect(sut.get('token')).toBeUndefined();
  });

  it('should not remember a token that has already expired, or whose exp is not a time', () => {
    const sut = new VerifiedTokenCache();
    sut.remember('old', alice, inSeconds(-1));
    sut.remember('nan', alice, Number.NaN);

    expect(sut.get('old')).toBeUndefined();
    expect(sut.get('nan')).toBeUndefined();
  });

  it('should hand out a copy that a caller cannot change for the next request', () => {
    const sut = new VerifiedTokenCache();
    const user = { id: 'bob', isAdmin: false };
    sut.remember('token', user, inSeconds(600));
    user.isAdmin = true;

    const remembered = sut.get('token')!;
    expect(remembered.isAdmin).toBe(false);
    expect(() => Object.assign(remembered, { isAdmin: true })).toThrow(TypeError);
  });
});
