// Encrypts secrets at rest (OAuth tokens) with AES-256-GCM. Every ciphertext names the key that
// made it, so several keys can be configured for rotation: the first encrypts, all decrypt.
import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig, EncryptionKey } from '../config/app-config';

/** Format version, first field of every ciphertext: `v1:<kid>:<iv b64>:<tag b64>:<ciphertext b64>`. */
const FORMAT_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Thrown for every ciphertext that cannot be opened; the message never contains key or plaintext. */
export class TokenDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenDecryptionError';
  }
}

@Injectable()
export class TokenCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'encryptionKeys'>) {
    const [first] = config.encryptionKeys;
    if (!first) throw new Error('TokenCipher needs at least one encryption key (ENCRYPTION_KEYS)');
    for (const { id, key } of config.encryptionKeys) {
      if (key.length !== KEY_BYTES) throw new Error(`Encryption key "${id}" must be ${KEY_BYTES} bytes`);
      if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new Error(`Encryption key id "${id}" may only use letters, digits, _ . -`);
    }
    this.current = first;
    this.keys = new Map(config.encryptionKeys.map(({ id, key }) => [id, key]));
  }

  /** The id of the key new ciphertexts are made with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /**
   * `context` (e.g. the row and field a value belongs to) is authenticated but not stored: the
   * same context must be given to decrypt, so a ciphertext copied to another row does not open.
   */
  encrypt(plaintext: string, context = ''): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(this.current.id, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, this.current.id, nonce.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(ciphertext: string, context = ''): string {
    const { keyId, nonce, tag, body } = parse(ciphertext);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new TokenDecryptionError(`Ciphertext was made with encryption key "${keyId}", which is not in ENCRYPTION_KEYS`);
    }
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId, context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError('Ciphertext failed authentication: it was altered, or belongs to another context');
    }
  }

  /** The key id a ciphertext names (without decrypting it). */
  keyIdOf(ciphertext: string): string {
    return parse(ciphertext).keyId;
  }

  /** Whether a ciphertext should be re-encrypted under the current key. */
  needsRotation(ciphertext: string): boolean {
    return this.keyIdOf(ciphertext) !== this.current.id;
  }
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${FORMAT_VERSION}:${keyId}:${context}`, 'utf8');
}

function parse(ciphertext: string): { keyId: string; nonce: Buffer; tag: Buffer; body: Buffer } {
  const parts = ciphertext.split(':');
  if (parts.length !== 5 || parts[0] !== FORMAT_VERSION) {
    throw new TokenDecryptionError(`Not a ${FORMAT_VERSION} ciphertext`);
  }
  const [, keyId, nonce, tag, body] = parts;
  const decoded = { keyId, nonce: Buffer.from(nonce, 'base64'), tag: Buffer.from(tag, 'base64'), body: Buffer.from(body, 'base64') };
  if (keyId === '' || decoded.nonce.length !== NONCE_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new TokenDecryptionError(`Malformed ${FORMAT_VERSION} ciphertext`);
  }
  return decoded;
}
