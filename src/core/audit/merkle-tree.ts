// The Merkle tree of one sealed audit batch, in the shape of RFC 6962 / RFC 9162 (Certificate
// Transparency): the tree over n leaves splits at the largest power of two below n, and leaves and
// inner nodes are hashed with different one-byte prefixes (0x00, 0x01) so a leaf can never be
// passed off as a node. Leaf hashes are HMAC-SHA256 under AUDIT_KEY (see audit-hashing.ts): only
// the key holder can compute the leaf of a changed entry. Inner nodes are plain SHA-256, as in
// RFC 6962, so an inclusion proof can be checked by anyone holding it and the batch's root without
// the key; the batch roots are chained with the key (audit-hashing.ts), so the sequence of roots
// cannot be rebuilt without it either. Hand-written (about 80 lines) because the npm Merkle
// libraries (merkletreejs and friends) build Bitcoin- or Ethereum-shaped trees (duplicated odd
// leaves, sorted pairs) whose proofs do not follow RFC 9162's verification algorithm.
import { hash } from 'node:crypto';

const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x01 || left || right): an inner node (RFC 6962 section 2.1). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/** The root over `leaves` (leaf hashes, in order). Not defined for an empty batch: batches never are. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) throw new RangeError('A Merkle tree needs at least one leaf');
  // Bottom-up, level by level: pairing from the left and carrying an odd last node up unchanged
  // gives exactly RFC 6962's recursive split at the largest power of two below n.
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * A SHA-256 digest as a 32-character latin1 ('binary') string, one character per byte: what the batch-root
 * paths below pass around instead of Buffers. A Buffer that crypto.hash returns costs an external
 * allocation and its collection; a short string does not, which makes a million-leaf verification
 * several times faster (bench:audit) and gives the same bytes.
 */
export type BinaryDigest = string;

/** 0x01 || left || right, rewritten for every inner node (synchronous, so one buffer serves all). */
const nodeScratch = Buffer.alloc(1 + 32 + 32);
nodeScratch[0] = 0x01;

/** nodeHash over BinaryDigest values. */
export function nodeDigest(left: BinaryDigest, right: BinaryDigest): BinaryDigest {
  nodeScratch.write(left, 1, 32, 'latin1');
  nodeScratch.write(right, 33, 32, 'latin1');
  return hash('sha256', nodeScratch, 'binary');
}

/** merkleRoot over BinaryDigest leaves: the same tree and the same root, as a BinaryDigest. */
export function merkleRootOfDigests(leaves: readonly BinaryDigest[]): BinaryDigest {
  if (leaves.length === 0) throw new RangeError('A Merkle tree needs at least one leaf');
  let level = leaves.slice();
  while (level.length > 1) {
    const next: BinaryDigest[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeDigest(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** The audit path of leaf `index` (RFC 9162 section 2.1.3.1): sibling hashes from the leaf up. */
export function inclusionPath(leaves: readonly Buffer[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`No leaf ${index} in a tree of ${leaves.length}`);
  const path: Buffer[] = [];
  let level = leaves.slice();
  let position = index;
  while (level.length > 1) {
    const sibling = position ^ 1;
    // An odd last node has no sibling on this level: it is carried up, and the path skips the level.
    if (sibling < level.length) path.push(level[sibling]);
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
    position = Math.floor(position / 2);
  }
  return path;
}

export interface InclusionProof {
  /** Hex of the entry's leaf hash. */
  leafHash: string;
  /** The entry's position among the batch's leaves, from 0. */
  leafIndex: number;
  /** How many leaves the batch has. */
  treeSize: number;
  /** Hex sibling hashes from the leaf up to the root. */
  auditPath: string[];
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * Whether `proof` shows its leaf under `root` (hex), by RFC 9162 section 2.1.3.2. Pure, needs no
 * key and no database: what a third party runs with a proof and a root published earlier. Any
 * malformed field (wrong length, index out of range, path too short or too long) is a false.
 */
export function verifyInclusionProof(proof: InclusionProof, root: string): boolean {
  const { leafHash, leafIndex, treeSize, auditPath } = proof;
  if (!Number.isSafeInteger(treeSize) || !Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) return false;
  if (!HEX_HASH.test(leafHash) || !HEX_HASH.test(root) || !Array.isArray(auditPath) || !auditPath.every((hash) => HEX_HASH.test(hash))) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leafHash, 'hex');
  for (const hex of auditPath) {
    if (sn === 0) return false;
    const p = Buffer.from(hex, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        // Right-most node of a level with nothing to its right: climb until it is a right child.
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root, 'hex'));
}
