import { maskUserId } from './mask-user-id';

describe(maskUserId.name, () => {
  it('should keep only the last four characters', () => {
    expect(maskUserId('1234567890')).toBe('****7890');
    expect(maskUserId('user_abcdef')).toBe('****cdef');
  });

  it.each(['', 'a', 'abcd'])('should mask %j entirely', (id) => {
    expect(maskUserId(id)).toBe('****');
  });
});
