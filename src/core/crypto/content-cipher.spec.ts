import { randomBytes } from 'node:crypto';
import { ContentDecryptionError, isSealed, openContent, PersonKey, sealedKeyId } from './content-cipher';

describe(PersonKey.name, () => {
  const keyBytes = randomBytes(32);
  const sut = new PersonKey('alice', 'kid-alice', keyBytes);
  const text = 'my tweet about the onboarding';

  it('should seal a value that names its key and hides the text, and open it again', () => {
    const sealed = sut.seal('twitter_data', 'text', 'row-1', text);

    expect(sealed).toMatch(/^c1:kid-alice:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain('onboarding');
    expect(isSealed(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe('kid-alice');
    expect(sut.open('twitter_data', 'text', 'row-1', sealed)).toBe(text);
  });

  it('should round-trip any text, multibyte characters included', () => {
    for (const value of ['', 'é', 'Ünïcödé 🎉 text with emoji 👩‍👩‍👧 and 中文', 'x'.repeat(10_000)]) {
      expect(sut.open('support_tickets', 'body', 'row-9', sut.seal('support_tickets', 'body', 'row-9', value))).toBe(value);
    }
  });

  it('should use a fresh nonce for every value', () => {
    const sealed = new Set(Array.from({ length: 500 }, () => sut.seal('twitter_data', 'text', 'row-1', text)));
    expect(sealed.size).toBe(500);
  });

  it('should refuse a value moved to another row, column, table or person', () => {
    const sealed = sut.seal('twitter_data', 'text', 'row-1', text);
    const bob = new PersonKey('bob', 'kid-alice', keyBytes);

    expect(() => sut.open('twitter_data', 'text', 'row-2', sealed)).toThrow(ContentDecryptionError);
    expect(() => sut.open('twitter_data', 'lang', 'row-1', sealed)).toThrow(ContentDecryptionError);
    expect(() => sut.open('analyses', 'text', 'row-1', sealed)).toThrow(ContentDecryptionError);
    expect(() => bob.open('twitter_data', 'text', 'row-1', sealed)).toThrow('failed authentication');
  });

  it('should refuse a value sealed under another key, or altered, without echoing content', () => {
    const other = new PersonKey('alice', 'kid-other', randomBytes(32));
    const sealed = other.seal('twitter_data', 'text', 'row-1', text);
    expect(() => sut.open('twitter_data', 'text', 'row-1', sealed)).toThrow('another data key');

    const mine = sut.seal('twitter_data', 'text', 'row-1', text);
    const body = Buffer.from(mine.slice('c1:kid-alice:'.length), 'base64');
    body[body.length - 1] ^= 1;
    try {
      sut.open('twitter_data', 'text', 'row-1', `c1:kid-alice:${body.toString('base64')}`);
      throw new Error('opened an altered value');
    } catch (error) {
      expect(error).toBeInstanceOf(ContentDecryptionError);
      expect((error as Error).message).not.toContain('onboarding');
    }
  });

  it('should pass plain values (rows from before encryption) through, and refuse sealed ones without a key', () => {
    expect(openContent(null, 'twitter_data', 'text', 'row-1', 'plain words')).toBe('plain words');
    expect(openContent(sut, 'twitter_data', 'text', 'row-1', 'plain words')).toBe('plain words');
    const sealed = sut.seal('twitter_data', 'text', 'row-1', text);
    expect(() => openContent(null, 'twitter_data', 'text', 'row-1', sealed)).toThrow('no longer exists');
  });

  it('should seal and open frames of bytes bound to their binding', () => {
    const frame = randomBytes(1000);
    const sealed = sut.sealBytes('export:1:0', frame);
    expect(sut.openBytes('export:1:0', sealed).equals(frame)).toBe(true);
    expect(() => sut.openBytes('export:1:1', sealed)).toThrow(ContentDecryptionError);
  });
});
