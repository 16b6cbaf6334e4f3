// What is hashed, and how, for the sealed audit log: an entry's leaf hash and a batch's chained
// hash, both HMAC-SHA256 under AUDIT_KEY (issue 18 item 10) with RFC 6962-style domain
// separation (a leaf starts with 0x00, a batch link with 0x02; 0x01 is the tree's inner nodes in
// merkle-tree.ts). Someone who can write the database but lacks the key can neither compute the
// leaf of a changed entry nor re-link the batches after removing one.
import { createHash } from 'node:crypto';

/** The previous hash of the first batch ever sealed. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

const LEAF_PREFIX = Buffer.from([0x00]);
const BATCH_PREFIX = Buffer.from([0x02]);

/** An entry as the leaf hash covers it: every column but none derived from others. */
export interface HashableAuditEntry {
  id: string;
  userId: string | null;
  action: string;
  category: string;
  details: unknown;
  createdAt: Date;
}

/** What a batch's chained hash covers: its place in the log, its root and the batch before it. */
export interface HashableAuditBatch {
  firstSeq: string;
  lastSeq: string;
  size: number;
  root: string;
  prevHash: string;
  sealedAt: Date;
}

/**
 * HMAC is computed as H((K ^ opad) || H((K ^ ipad) || m)) with the two key blocks hashed once and
 * copied per message (Hash.copy), which is what createHmac does internally minus re-hashing the key
 * for every call: verification computes a million of these.
 */
export class AuditHasher {
  private readonly inner: ReturnType<typeof createHash>;
  private readonly outer: ReturnType<typeof createHash>;

  constructor(key: string) {
    let keyBytes = Buffer.from(key, 'utf8');
    if (keyBytes.length > 64) keyBytes = createHash('sha256').update(keyBytes).digest();
    const block = Buffer.alloc(64);
    keyBytes.copy(block);
    this.inner = createHash('sha256').update(block.map((byte) => byte ^ 0x36));
    this.outer = createHash('sha256').update(block.map((byte) => byte ^ 0x5c));
  }

  /** HMAC-SHA256(key, 0x00 || canonical entry). */
  leafHash(entry: HashableAuditEntry): Buffer {
    return this.hmac(LEAF_PREFIX, canonicalEntry(entry));
  }

  /** HMAC-SHA256(key, 0x02 || canonical batch), as hex: what the next batch links to. */
  chainedHash(batch: HashableAuditBatch): string {
    const canonical = canonicalJson([batch.firstSeq, batch.lastSeq, batch.size, batch.root, batch.prevHash, batch.sealedAt.toISOString()]);
    return this.hmac(BATCH_PREFIX, canonical).toString('hex');
  }

  private hmac(prefix: Buffer, message: string): Buffer {
    const innerDigest = this.inner.copy().update(prefix).update(message, 'utf8').digest();
    return this.outer.copy().update(innerDigest).digest();
  }
}

/** An entry as read back from `audit_log` (snake_case columns, jsonb parsed), in the shape the leaf hash covers. */
export function hashableEntry(row: {
  id: string;
  user_id: string | null;
  action: string;
  category: string;
  details: unknown;
  created_at: string | Date;
}): HashableAuditEntry {
  return { id: row.id, userId: row.user_id, action: row.action, category: row.category, details: row.details, createdAt: new Date(row.created_at) };
}

function canonicalEntry(entry: HashableAuditEntry): string {
  return canonicalJson([entry.id, entry.userId, entry.action, entry.category, entry.details, entry.createdAt.toISOString()]);
}

/** JSON with object keys sorted, because jsonb does not keep the key order it was given. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
