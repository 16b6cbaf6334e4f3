// Content encryption of crypto-shredding (spec 3c): a person's stored content (tweet text,
// analyses, tickets, export files) is sealed with AES-256-GCM under the person's own data key.
// A sealed value is `c1:<key id>:<base64 of nonce | tag | ciphertext>`, so a row written before
// encryption (plain text) is recognisable and the `encrypt-content` step can find it.
// Each value is bound to its table, column, row id and person as additional data: copied to
// another row, column or person it no longer opens.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

export const SEALED_PREFIX = 'c1:';
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;
/** Nonces are drawn from a pool filled 4 KB at a time: one `randomBytes` per value costs more than its cipher. */
const NONCE_POOL_BYTES = 4096;

/** Thrown for every value that cannot be opened; the message never contains content or keys. */
export class ContentDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentDecryptionError';
  }
}

/** Whether a stored value is sealed (as opposed to a plain row from before encryption). */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/** The key id a sealed value names, or null for a plain value. */
export function sealedKeyId(value: string): string | null {
  if (!isSealed(value)) return null;
  const end = value.indexOf(':', SEALED_PREFIX.length);
  return end < 0 ? null : value.slice(SEALED_PREFIX.length, end);
}

let noncePool = Buffer.alloc(0);
let nonceOffset = 0;

function nextNonce(): Buffer {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomFillSync(Buffer.allocUnsafe(NONCE_POOL_BYTES));
    nonceOffset = 0;
  }
  const nonce = noncePool.subarray(nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

/** The additional data of a value: where it lives and whose it is. */
export function contentBinding(table: string, column: string, rowId: string, userId: string): string {
  return `${table}.${column}:${rowId}:${userId}`;
}

/** A person's key as it crosses to a worker thread. */
export interface PersonKeyMessage {
  userId: string;
  keyId: string;
  key: Uint8Array;
}

/** One person's unwrapped data key. Never logged, never cached beside another person's. */
export class PersonKey {
  private readonly prefix: string;

  constructor(
    readonly userId: string,
    readonly keyId: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== DATA_KEY_BYTES) throw new Error(`A data key must be ${DATA_KEY_BYTES} bytes`);
    this.prefix = `${SEALED_PREFIX}${keyId}:`;
  }

  /**
   * What a worker thread needs to rebuild this key (content-opener.worker.ts): a copy of the key
   * bytes, sent by postMessage within this process and never written anywhere.
   */
  toWorkerMessage(): PersonKeyMessage {
    return { userId: this.userId, keyId: this.keyId, key: new Uint8Array(this.key) };
  }

  static fromWorkerMessage(message: PersonKeyMessage): PersonKey {
    return new PersonKey(message.userId, message.keyId, Buffer.from(message.key.buffer, message.key.byteOffset, message.key.byteLength));
  }

  /** Seals a value of `table.column` in row `rowId` of this person. */
  seal(table: string, column: string, rowId: string, plaintext: string): string {
    return this.prefix + this.sealBytes(contentBinding(table, column, rowId, this.userId), Buffer.from(plaintext, 'utf8')).toString('base64');
  }

  /** Opens a sealed value; a plain value (a row not yet encrypted by `encrypt-content`) is returned as it is. */
  open(table: string, column: string, rowId: string, stored: string): string {
    if (!isSealed(stored)) return stored;
    if (!stored.startsWith(this.prefix)) throw new ContentDecryptionError(`${table}.${column} was sealed under another data key`);
    const sealed = Buffer.from(stored.slice(this.prefix.length), 'base64');
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new ContentDecryptionError(`Malformed sealed ${table}.${column}`);
    return this.openBytes(contentBinding(table, column, rowId, this.userId), sealed, `${table}.${column}`).toString('utf8');
  }

  /** `nonce | tag | ciphertext` of `plaintext`, bound to `binding`. */
  sealBytes(binding: string, plaintext: Buffer): Buffer {
    const nonce = nextNonce();
    const cipher = createCipheriv(ALGORITHM, this.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(binding, 'utf8'));
    const body = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  openBytes(binding: string, sealed: Buffer, what = 'value'): Buffer {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new ContentDecryptionError(`Malformed sealed ${what}`);
    const decipher = createDecipheriv(ALGORITHM, this.key, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(binding, 'utf8'));
    decipher.setAuthTag(sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    const body = decipher.update(sealed.subarray(NONCE_BYTES + TAG_BYTES));
    try {
      decipher.final();
    } catch {
      throw new ContentDecryptionError(`Sealed ${what} failed authentication: it was altered, or belongs to another row or person`);
    }
    return body;
  }
}

/**
 * Opens a stored value with the person's key: plain values (not yet sealed) as they are, sealed
 * ones through the key; without a key (destroyed by an erasure) a sealed value cannot be read.
 */
export function openContent(key: PersonKey | null, table: string, column: string, rowId: string, stored: string): string {
  if (!isSealed(stored)) return stored;
  if (!key) throw new ContentDecryptionError(`${table}.${column} is sealed under a data key that no longer exists`);
  return key.open(table, column, rowId, stored);
}

/** Several columns of the same rows of `table` (each column's values in the rows' order), opened as `openContent` does; null stays null. */
export function openColumnValues(
  key: PersonKey | null,
  table: string,
  rowIds: readonly string[],
  columns: ReadonlyArray<{ column: string; stored: ReadonlyArray<string | null> }>,
): Array<Array<string | null>> {
  return columns.map(({ column, stored }) => stored.map((value, i) => (typeof value === 'string' ? openContent(key, table, column, rowIds[i], value) : value)));
}
