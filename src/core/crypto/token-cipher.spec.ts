import { randomBytes } from 'node:crypto';
import { EncryptionKey } from '../config/app-config';
import { TokenCipher, TokenDecryptionError } from './token-cipher';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });

describe(TokenCipher.name, () => {
  const oldKey = key('old');
  const newKey = key('new');
  const secret = 'x-access-token-0123456789abcdef';

  it('should round-trip a value and store the key id with the ciphertext', () => {
    const sut = new TokenCipher({ encryptionKeys: [newKey] });

    const ciphertext = sut.encrypt(secret);

    expect(ciphertext).toMatch(/^v1:new:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(ciphertext).not.toContain(secret);
    expect(sut.keyIdOf(ciphertext)).toBe('new');
    expect(sut.decrypt(ciphertext)).toBe(secret);
  });

  it('should use a fresh 12-byte nonce for every encryption', () => {
    const sut = new TokenCipher({ encryptionKeys: [newKey] });

    const nonces = new Set(Array.from({ length: 50 }, () => sut.encrypt(secret).split(':')[2]));

    expect(nonces.size).toBe(50);
    expect(Buffer.from([...nonces][0] ?? '', 'base64')).toHaveLength(12);
  });

  it('should encrypt with the first key and decrypt with any configured key', () => {
    const before = new TokenCipher({ encryptionKeys: [oldKey] });
    const sut = new TokenCipher({ encryptionKeys: [newKey, oldKey] });
    const legacy = before.encrypt(secret, 'ctx');

    expect(sut.decrypt(legacy, 'ctx')).toBe(secret);
    expect(sut.needsRotation(legacy)).toBe(true);
    expect(sut.keyIdOf(sut.encrypt(secret))).toBe('new');
    expect(sut.needsRotation(sut.encrypt(secret))).toBe(false);
    expect(sut.currentKeyId).toBe('new');
  });

  it('should refuse a ciphertext made with an unknown key, naming the key id', () => {
    const legacy = new TokenCipher({ encryptionKeys: [oldKey] }).encrypt(secret);
    const sut = new TokenCipher({ encryptionKeys: [newKey] });

    expect(() => sut.decrypt(legacy)).toThrow(TokenDecryptionError);
    expect(() => sut.decrypt(legacy)).toThrow('encryption key "old", which is not in ENCRYPTION_KEYS');
  });

  it('should detect tampering with the body, the tag, the nonce or the key id', () => {
    const sut = new TokenCipher({ encryptionKeys: [newKey, oldKey] });
    const [version, kid, nonce, tag, body] = sut.encrypt(secret).split(':');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };

    const tampered = [
      [version, kid, nonce, tag, flip(body)],
      [version, kid, nonce, flip(tag), body],
      [version, kid, flip(nonce), tag, body],
      [version, 'old', nonce, tag, body],
    ].map((parts) => parts.join(':'));

    for (const ciphertext of tampered) {
      expect(() => sut.decrypt(ciphertext)).toThrow(TokenDecryptionError);
    }
  });

  it('should refuse to open a ciphertext under another context', () => {
    const sut = new TokenCipher({ encryptionKeys: [newKey] });
    const ciphertext = sut.encrypt(secret, 'oauth_tokens:alice:access');

    expect(() => sut.decrypt(ciphertext, 'oauth_tokens:mallory:access')).toThrow('failed authentication');
  });

  it('should refuse malformed input without echoing it', () => {
    const sut = new TokenCipher({ encryptionKeys: [newKey] });

    expect(() => sut.decrypt(secret)).toThrow('Not a v1 ciphertext');
    expect(() => sut.decrypt('v1:new:AAAA:BBBB:CCCC')).toThrow('Malformed v1 ciphertext');
    try {
      sut.decrypt(secret);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('should refuse to start without keys or with a key of the wrong size', () => {
    expect(() => new TokenCipher({ encryptionKeys: [] })).toThrow('at least one encryption key');
    expect(() => new TokenCipher({ encryptionKeys: [{ id: 'short', key: randomBytes(16) }] })).toThrow('32 bytes');
  });
});
