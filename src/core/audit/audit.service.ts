// The audit log every module writes to: who did what, in which category, when, with redacted
// details. Writers append without any lock (each entry takes the next id of a sequence); the
// AuditSealer later seals the new entries into Merkle batches whose roots are chained and keyed
// with AUDIT_KEY, and records the newest batch outside the database. verifyAuditChain() checks
// every batch and the recorded head; proofOf() gives an RFC 9162 inclusion proof for one entry.
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { redactForLog } from '../logging/redact-for-log';
import { AuditHeadStore, RecordedAuditHead } from './audit-head.store';
import { AUDIT_GENESIS_HASH, AuditHasher } from './audit-hashing';
import { AuditEntry } from './audit-entry.entity';
import { AuditEntryNotFoundException, AuditEntryNotSealedException, AuditProofUnavailableException } from './audit.exception';
import { AuditBatchRow, AuditLeafRow, AuditRepository } from './audit.repository';
import { inclusionPath, merkleRoot } from './merkle-tree';

const VERIFY_PAGE = 500;
/** Batches whose entries are being read (each on its own connection) while one is hashed. */
const VERIFY_READ_AHEAD = 2;
/** An entry id as the API takes it: digits (then checked to be a positive bigint). */
export const AUDIT_ENTRY_ID_PATTERN = '^\\d{1,19}$';
const ENTRY_ID = new RegExp(AUDIT_ENTRY_ID_PATTERN);
const BIGINT_MAX = 2n ** 63n - 1n;

function isEntryId(id: string): boolean {
  return ENTRY_ID.test(id) && BigInt(id) >= 1n && BigInt(id) <= BIGINT_MAX;
}

export type AuditBreakReason =
  /** The batch's entries no longer hash to its root: an entry was changed, removed or inserted. */
  | 'root_mismatch'
  /** The batch's stored fields no longer give its chained hash (root, range, size or time changed). */
  | 'batch_hash_mismatch'
  /** The batch does not link to the one before it (a batch was removed, inserted or reordered). */
  | 'link_mismatch'
  /** The batch's range does not start right after the previous one's (entries left out of every batch). */
  | 'range_gap'
  /** Entries exist below the first batch's range, where none can be written. */
  | 'entries_before_first_batch';

export interface AuditChainReport {
  valid: boolean;
  /** Entries checked against their batch's root (all sealed entries when valid). */
  checked: number;
  /** Sealed batches checked (their chained hashes and links). */
  batches: number;
  /** The first batch at which verification fails, and why. */
  brokenAt?: { batchId: string; firstSeq: string; lastSeq: string; reason: AuditBreakReason };
  /** Leading batches whose entries retention removed, in whole or in part: their links are checked, their roots cannot be. */
  pruned: { batches: number; throughBatchId: string | null; throughSealedAt: string | null };
  /** Entries no batch covers yet (appended since the last seal): not protected until sealed. */
  unsealed: { count: number; oldestId: string | null; oldestCreatedAt: string | null };
  /** The head recorded outside the database, and whether the batches still have it. */
  recordedHead: (RecordedAuditHead & { matches: boolean }) | null;
}

export interface AuditInclusionProof {
  entryId: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  root: string;
  batch: { id: string; firstSeq: string; lastSeq: string; size: number; root: string; prevHash: string; chainedHash: string; sealedAt: string };
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');
  private readonly hasher: AuditHasher;

  constructor(
    private readonly em: EntityManager,
    private readonly repository: AuditRepository,
    private readonly heads: AuditHeadStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'auditKey'>,
  ) {
    this.hasher = new AuditHasher(config.auditKey);
  }

  async audit(userId: string | null, action: string, category: string, details: Record<string, unknown> = {}): Promise<void> {
    // The leaf hash is computed when sealing, over the row as stored (see AUDIT_LEAF_TEXT_SQL).
    const row = { userId, action, category, details: redactForLog(details) as Record<string, unknown>, createdAt: this.clock.now() };
    // Join the caller's transaction when there is one, so the audit entry commits with the change.
    const current = this.em.getContext(false);
    if (current.isInTransaction()) await this.repository.insert(current, row);
    else await this.em.transactional((em) => this.repository.insert(em, row));
  }

  listForUser(userId: string, limit = 500): Promise<AuditEntry[]> {
    return this.repository.listForUser(userId, limit);
  }

  /**
   * Records the newest batch outside the database: in the head store, in the log and (read at
   * scrape time) in the `repazoo_audit_chain_head` metric. Called at every retention run; the
   * sealer also updates the store after each batch.
   */
  async recordChainHead(): Promise<RecordedAuditHead | null> {
    const batch = await this.repository.lastBatch();
    if (!batch) return null;
    const recorded = { id: batch.id, hash: batch.chainedHash, recordedAt: this.clock.now().toISOString() };
    await this.heads.save(recorded);
    this.logger.log({ msg: 'audit chain head recorded', auditHeadId: recorded.id, auditHeadHash: recorded.hash });
    return recorded;
  }

  /** The head recorded last, if any. */
  recordedChainHead(): Promise<RecordedAuditHead | null> {
    return this.heads.load();
  }

  /**
   * Checks every batch in chain order: its link to the previous batch, its chained hash, that its
   * range starts right after the previous one, and that its entries hash to its root. Retention
   * removes the oldest entries (never batches): leading batches with entries missing are reported
   * as pruned, and the first batch found complete is the anchor; from there on a missing entry is
   * a break. Then reports the entries not sealed yet and checks the recorded head.
   */
  async verifyAuditChain(): Promise<AuditChainReport> {
    const recorded = await this.heads.load();
    const report: AuditChainReport = {
      valid: true,
      checked: 0,
      batches: 0,
      pruned: { batches: 0, throughBatchId: null, throughSealedAt: null },
      unsealed: { count: 0, oldestId: null, oldestCreatedAt: null },
      recordedHead: null,
    };
    const recordedBatch = recorded ? await this.repository.batchById(recorded.id) : null;
    report.recordedHead = recorded ? { ...recorded, matches: recordedBatch?.chainedHash === recorded.hash } : null;
    let previous: AuditBatchRow | null = null;
    let anchored = false;
    let afterId = '0';
    verifying: for (;;) {
      const page = await this.repository.batchesAfter(afterId, VERIFY_PAGE);
      // The next batches' entries are read while this one is hashed: PostgreSQL (on more than one
      // connection) and this process work at once.
      const reads: Promise<AuditLeafRow[]>[] = [];
      let toRead = 0;
      for (const batch of page) {
        while (toRead < page.length && reads.length <= VERIFY_READ_AHEAD) {
          const read = this.repository.entriesOf(page[toRead++]);
          // Handled now, awaited (and thrown) in turn: one that fails while an earlier one is awaited is not an unhandled rejection.
          read.catch(() => undefined);
          reads.push(read);
        }
        const rows = await reads.shift()!;
        const reason = await this.checkBatch(batch, rows, previous, anchored, report);
        if (reason === 'pruned') {
          report.pruned = { batches: report.pruned.batches + 1, throughBatchId: batch.id, throughSealedAt: batch.sealedAt.toISOString() };
        } else if (reason) {
          report.valid = false;
          report.brokenAt = { batchId: batch.id, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, reason };
          break verifying;
        } else {
          anchored = true;
        }
        report.batches += 1;
        previous = batch;
      }
      if (page.length < VERIFY_PAGE) break;
      afterId = page[page.length - 1].id;
    }
    const unsealed = await this.repository.unsealedAfter(previous?.lastSeq ?? '0');
    report.unsealed = { count: unsealed.count, oldestId: unsealed.oldestId, oldestCreatedAt: unsealed.oldestCreatedAt?.toISOString() ?? null };
    if (report.recordedHead && !report.recordedHead.matches) report.valid = false;
    return report;
  }

  /** An inclusion proof for entry `id` against its batch's root. */
  async proofOf(id: string): Promise<AuditInclusionProof> {
    // Like every id route: an id that cannot exist is an unknown one (404), so ids cannot be probed.
    if (!isEntryId(id)) throw new AuditEntryNotFoundException();
    if (!(await this.repository.entryExists(id))) throw new AuditEntryNotFoundException();
    const batch = await this.repository.batchCovering(id);
    if (!batch) throw new AuditEntryNotSealedException();
    const rows = await this.repository.entriesOf(batch);
    const leaves = rows.map((row) => this.hasher.leafHash(row.leaf));
    const leafIndex = rows.findIndex((row) => row.id === id);
    // A proof from a batch that no longer matches its root would prove nothing; verify says where it breaks.
    if (leafIndex < 0 || leaves.length !== batch.size || merkleRoot(leaves).toString('hex') !== batch.root) throw new AuditProofUnavailableException();
    return {
      entryId: id,
      leafIndex,
      treeSize: leaves.length,
      leafHash: leaves[leafIndex].toString('hex'),
      auditPath: inclusionPath(leaves, leafIndex).map((hash) => hash.toString('hex')),
      root: batch.root,
      batch: {
        id: batch.id,
        firstSeq: batch.firstSeq,
        lastSeq: batch.lastSeq,
        size: batch.size,
        root: batch.root,
        prevHash: batch.prevHash,
        chainedHash: batch.chainedHash,
        sealedAt: batch.sealedAt.toISOString(),
      },
    };
  }

  /** Null when the batch checks out, 'pruned' for a leading batch retention has thinned, else why it fails. */
  private async checkBatch(
    batch: AuditBatchRow,
    rows: AuditLeafRow[],
    previous: AuditBatchRow | null,
    anchored: boolean,
    report: AuditChainReport,
  ): Promise<AuditBreakReason | 'pruned' | null> {
    if (batch.prevHash !== (previous?.chainedHash ?? AUDIT_GENESIS_HASH)) return 'link_mismatch';
    if (this.hasher.chainedHash(batch) !== batch.chainedHash) return 'batch_hash_mismatch';
    if (previous ? BigInt(batch.firstSeq) !== BigInt(previous.lastSeq) + 1n : (await this.repository.countEntriesBefore(batch.firstSeq)) > 0) {
      return previous ? 'range_gap' : 'entries_before_first_batch';
    }
    if (!anchored && rows.length < batch.size) return 'pruned';
    if (rows.length !== batch.size) return 'root_mismatch';
    if (this.hasher.rootOf(rows.map((row) => row.leaf)) !== batch.root) return 'root_mismatch';
    report.checked += rows.length;
    return null;
  }
}
