// What is hashed, and how, for the sealed audit log: an entry's leaf hash and a batch's chained
// hash, both HMAC-SHA256 under AUDIT_KEY (issue 18 item 10) with RFC 6962-style domain
// separation (a leaf starts with 0x00, a batch link with 0x02; 0x01 is the tree's inner nodes in
// merkle-tree.ts). Someone who can write the database but lacks the key can neither compute the
// leaf of a changed entry nor re-link the batches after removing one.
import { createHash, hash } from 'node:crypto';
import { BinaryDigest, merkleRootOfDigests } from './merkle-tree';

/** The previous hash of the first batch ever sealed. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

const LEAF_PREFIX = Buffer.from([0x00]);
const BATCH_PREFIX = Buffer.from([0x02]);
/** The key block and the leaf prefix, before a leaf's text in the inner hash. */
const LEAF_HEADER = 64 + 1;

/**
 * The text a leaf hash covers, built by PostgreSQL from the stored row so verification neither
 * parses nor re-serialises a million jsonb values: a JSON array of the id, user id, action,
 * category, details (jsonb's own text form: keys in its fixed order, one space after ':' and ',')
 * and the creation time in UTC with microseconds. jsonb's text output is a pure function of the
 * stored value, so the same row always gives the same text, on PostgreSQL and PGlite alike.
 * Anyone holding AUDIT_KEY can recompute a leaf from this query's output.
 *
 * Built with json_build_array, which writes the same text as `jsonb_build_array(...)::text` (the
 * form the first batches were sealed with: elements joined by ", ", strings escaped by the same
 * escape_json, details in jsonb's text form) without first building a jsonb value: about half the
 * database's work per entry, which is most of what verifying a million entries waits for. The
 * audit-sealing test checks the two forms give the same text on awkward rows.
 */
export const AUDIT_LEAF_TEXT_SQL = `json_build_array(audit_log.id::text, audit_log.user_id, audit_log.action, audit_log.category, audit_log.details,
  to_char(audit_log.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text`;

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
 * HMAC-SHA256 computed as H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104) with one-shot
 * crypto.hash calls over the precomputed key blocks: the same value as createHmac, without two
 * hash objects per message. Verification computes a million of these.
 */
export class AuditHasher {
  private readonly innerKey: Buffer;
  private readonly outerKey: Buffer;
  /**
   * For rootOf: (K ^ ipad) || 0x00 stays at the start and each leaf text is written after it; the
   * outer block is (K ^ opad) followed by the 32 bytes of the inner digest. Both are rewritten
   * synchronously for every leaf, so a leaf costs no allocation besides its digest string.
   */
  private leafScratch: Buffer;
  private readonly outerScratch: Buffer;

  constructor(key: string) {
    let keyBytes = Buffer.from(key, 'utf8');
    if (keyBytes.length > 64) keyBytes = createHash('sha256').update(keyBytes).digest();
    const block = Buffer.alloc(64);
    keyBytes.copy(block);
    this.innerKey = Buffer.from(block.map((byte) => byte ^ 0x36));
    this.outerKey = Buffer.from(block.map((byte) => byte ^ 0x5c));
    this.leafScratch = this.leafScratchOf(4096);
    this.outerScratch = Buffer.concat([this.outerKey, Buffer.alloc(32)]);
  }

  /** HMAC-SHA256(key, 0x00 || leaf text), the leaf text as AUDIT_LEAF_TEXT_SQL builds it. */
  leafHash(leafText: string): Buffer {
    return this.hmac(LEAF_PREFIX, Buffer.from(leafText, 'utf8'));
  }

  /**
   * The hex Merkle root (merkle-tree.ts) over the leaf hashes of `leafTexts`, in order: the same
   * value as merkleRoot(leafTexts.map(leafHash)), computed on BinaryDigest strings, because the
   * sealer and verification hash every entry of the log this way.
   */
  rootOf(leafTexts: readonly string[]): string {
    return Buffer.from(merkleRootOfDigests(leafTexts.map((text) => this.leafDigest(text))), 'latin1').toString('hex');
  }

  /** leafHash as a BinaryDigest. */
  private leafDigest(leafText: string): BinaryDigest {
    // A UTF-16 code unit is at most 3 bytes of UTF-8, so the text always fits once this holds.
    const bound = LEAF_HEADER + leafText.length * 3;
    if (bound > this.leafScratch.length) this.leafScratch = this.leafScratchOf(bound);
    const written = this.leafScratch.write(leafText, LEAF_HEADER, 'utf8');
    this.outerScratch.write(hash('sha256', this.leafScratch.subarray(0, LEAF_HEADER + written), 'binary'), 64, 32, 'latin1');
    return hash('sha256', this.outerScratch, 'binary');
  }

  private leafScratchOf(size: number): Buffer {
    const scratch = Buffer.alloc(size);
    this.innerKey.copy(scratch, 0);
    LEAF_PREFIX.copy(scratch, 64);
    return scratch;
  }

  /** HMAC-SHA256(key, 0x02 || canonical batch), as hex: what the next batch links to. */
  chainedHash(batch: HashableAuditBatch): string {
    const canonical = canonicalJson([batch.firstSeq, batch.lastSeq, batch.size, batch.root, batch.prevHash, batch.sealedAt.toISOString()]);
    return this.hmac(BATCH_PREFIX, Buffer.from(canonical, 'utf8')).toString('hex');
  }

  private hmac(prefix: Buffer, message: Buffer): Buffer {
    const inner = hash('sha256', Buffer.concat([this.innerKey, prefix, message]), 'buffer');
    return hash('sha256', Buffer.concat([this.outerKey, inner]), 'buffer');
  }
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
