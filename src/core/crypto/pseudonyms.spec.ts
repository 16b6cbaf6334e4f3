import { Pseudonyms } from './pseudonyms';

describe(Pseudonyms.name, () => {
  const sut = new Pseudonyms({ pseudonymKey: 'k'.repeat(40) });

  it('should give one person one pseudonym that does not contain their id', () => {
    expect(sut.of('alice@example.com')).toBe(sut.of('alice@example.com'));
    expect(sut.of('alice@example.com')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sut.of('alice@example.com')).not.toContain('alice');
  });

  it('should depend on the key', () => {
    expect(new Pseudonyms({ pseudonymKey: 'j'.repeat(40) }).of('alice')).not.toBe(sut.of('alice'));
    expect(sut.of('bob')).not.toBe(sut.of('alice'));
  });
});
