import { createHash, createHmac } from 'node:crypto';
import { AuditHasher } from './audit-hashing';
import { inclusionPath, merkleRoot, nodeHash, verifyInclusionProof } from './merkle-tree';

/** RFC 6962 section 2.1's recursive definition, written as in the RFC, to check the iterative one against. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** RFC 6962 section 2.1.1's recursive PATH(m, D[n]). */
function referencePath(index: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return index < k
    ? [...referencePath(index, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(index - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());
const hex = (buffers: Buffer[]) => buffers.map((buffer) => buffer.toString('hex'));

function proofFor(leaves: Buffer[], index: number) {
  return {
    proof: { leafHash: leaves[index].toString('hex'), leafIndex: index, treeSize: leaves.length, auditPath: hex(inclusionPath(leaves, index)) },
    root: merkleRoot(leaves).toString('hex'),
  };
}

describe('merkleRoot and inclusionPath', () => {
  it('should build the RFC 6962 tree and paths for every size from 1 to 70', () => {
    for (let n = 1; n <= 70; n += 1) {
      const leaves = leavesOf(n);
      expect(merkleRoot(leaves).equals(referenceRoot(leaves))).toBe(true);
      for (let i = 0; i < n; i += 1) expect(hex(inclusionPath(leaves, i))).toEqual(hex(referencePath(i, leaves)));
    }
  });

  it('should separate leaves from inner nodes with the 0x01 prefix', () => {
    const [a, b] = leavesOf(2);
    expect(merkleRoot([a, b]).toString('hex')).toBe(createHash('sha256').update(Buffer.from([1])).update(a).update(b).digest('hex'));
  });

  it('should refuse an empty tree and an index outside it', () => {
    expect(() => merkleRoot([])).toThrow(RangeError);
    expect(() => inclusionPath(leavesOf(3), 3)).toThrow(RangeError);
  });
});

describe(verifyInclusionProof.name, () => {
  it('should accept the proof of every leaf for every size from 1 to 40', () => {
    for (let n = 1; n <= 40; n += 1) {
      const leaves = leavesOf(n);
      for (let i = 0; i < n; i += 1) {
        const { proof, root } = proofFor(leaves, i);
        expect(verifyInclusionProof(proof, root)).toBe(true);
      }
    }
  });

  it('should refuse a proof whose leaf, index, size, path or root was changed', () => {
    const leaves = leavesOf(13);
    const { proof, root } = proofFor(leaves, 6);
    const flip = (value: string) => (value[0] === '0' ? '1' : '0') + value.slice(1);
    expect(verifyInclusionProof({ ...proof, leafHash: flip(proof.leafHash) }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, leafHash: leaves[7].toString('hex') }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, leafIndex: 7 }, root)).toBe(false);
    // A size that changes the leaf's position in the tree's shape (13 -> 7: leaf 6 becomes the last).
    expect(verifyInclusionProof({ ...proof, treeSize: 7 }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, auditPath: [flip(proof.auditPath[0]), ...proof.auditPath.slice(1)] }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, auditPath: proof.auditPath.slice(0, -1) }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, auditPath: [...proof.auditPath, proof.auditPath[0]] }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, auditPath: [...proof.auditPath].reverse() }, root)).toBe(false);
    expect(verifyInclusionProof(proof, flip(root))).toBe(false);
    expect(verifyInclusionProof(proof, merkleRoot(leaves.slice(0, 12)).toString('hex'))).toBe(false);
  });

  it('should refuse an inner node passed off as a leaf when the proof carries the batch\'s real size', () => {
    const leaves = leavesOf(4);
    const root = merkleRoot(leaves).toString('hex');
    const inner = nodeHash(leaves[0], leaves[1]).toString('hex');
    const other = nodeHash(leaves[2], leaves[3]).toString('hex');
    // Why the checker takes treeSize from the batch it trusts (the API's batch.size), not from the prover.
    expect(verifyInclusionProof({ leafHash: inner, leafIndex: 0, treeSize: 2, auditPath: [other] }, root)).toBe(true);
    expect(verifyInclusionProof({ leafHash: inner, leafIndex: 0, treeSize: 4, auditPath: [other] }, root)).toBe(false);
  });

  it('should refuse malformed input without throwing', () => {
    const { proof, root } = proofFor(leavesOf(5), 2);
    expect(verifyInclusionProof({ ...proof, leafIndex: -1 }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, leafIndex: 1.5 }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, treeSize: Number.NaN }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, leafHash: 'zz' }, root)).toBe(false);
    expect(verifyInclusionProof({ ...proof, auditPath: ['abc'] }, root)).toBe(false);
    expect(verifyInclusionProof(proof, 'not hex')).toBe(false);
  });
});

describe(AuditHasher.name, () => {
  const key = 'test-audit-key-that-is-long-enough-0123456789';
  const leafText = '["7", "alice", "Did", "test", {"a": [1, {"c": 2, "d": 1}], "b": 2}, "2026-01-02T03:04:05.678000Z"]';

  it('should compute HMAC-SHA256 of 0x00 and the leaf text under the key, whatever the key length', () => {
    for (const candidate of [key, 'k'.repeat(64), 'k'.repeat(65), 'k'.repeat(200), 'ключ'.repeat(20)]) {
      const expected = createHmac('sha256', candidate).update(Buffer.from([0])).update(leafText).digest('hex');
      expect(new AuditHasher(candidate).leafHash(leafText).toString('hex')).toBe(expected);
    }
  });

  it('should give another leaf for another key or another text', () => {
    const sut = new AuditHasher(key);
    const leaf = sut.leafHash(leafText).toString('hex');
    expect(new AuditHasher(`${key}x`).leafHash(leafText).toString('hex')).not.toBe(leaf);
    expect(sut.leafHash(leafText.replace('"c": 2', '"c": 3')).toString('hex')).not.toBe(leaf);
  });

  it('should give the root of merkleRoot over leafHash from rootOf, for every tree shape and any text', () => {
    const sut = new AuditHasher(key);
    // Multi-byte characters (2, 3 and 4 bytes of UTF-8) and a text longer than the first scratch buffer.
    const texts = Array.from({ length: 70 }, (_, i) => leafText.replace('alice', `alice ${i} é ✓ 😀 ${'x'.repeat(i === 40 ? 9000 : i)}`));
    for (let n = 1; n <= texts.length; n += 1) {
      const leaves = texts.slice(0, n);
      expect(sut.rootOf(leaves)).toBe(merkleRoot(leaves.map((text) => sut.leafHash(text))).toString('hex'));
    }
    // After a long text, a short one is hashed over its own bytes only (nothing left over in the scratch buffer).
    expect(sut.rootOf([texts[40], texts[1]])).toBe(merkleRoot([sut.leafHash(texts[40]), sut.leafHash(texts[1])]).toString('hex'));
    expect(sut.rootOf([texts[1]])).toBe(sut.leafHash(texts[1]).toString('hex'));
  });

  it('should chain a batch over its range, size, root, previous hash and time', () => {
    const sut = new AuditHasher(key);
    const batch = { firstSeq: '1', lastSeq: '9', size: 8, root: 'a'.repeat(64), prevHash: '0'.repeat(64), sealedAt: new Date('2026-01-02T00:00:00Z') };
    const chained = sut.chainedHash(batch);
    expect(chained).toBe(
      createHmac('sha256', key).update(Buffer.from([2])).update(`["1","9",8,"${'a'.repeat(64)}","${'0'.repeat(64)}","2026-01-02T00:00:00.000Z"]`).digest('hex'),
    );
    for (const change of [{ firstSeq: '2' }, { lastSeq: '8' }, { size: 7 }, { root: 'b'.repeat(64) }, { prevHash: '1'.repeat(64) }]) {
      expect(sut.chainedHash({ ...batch, ...change })).not.toBe(chained);
    }
  });
});
