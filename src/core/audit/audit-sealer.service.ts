// Seals the audit log: every AUDIT_SEAL_INTERVAL_MS (and once at shutdown) one instance at a time
// takes the entries appended since the last batch, up to a safe point, in id order, hashes them
// into a Merkle tree, chains its root to the previous batch's and stores the batch. Writers never
// wait for it: they append with a sequence id and no lock (AuditRepository.insert).
import { EntityManager } from '@mikro-orm/postgresql';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from '../clock/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LockService } from '../locks/lock.service';
import { AuditHeadStore } from './audit-head.store';
import { AUDIT_GENESIS_HASH, AuditHasher } from './audit-hashing';
import { AuditRepository } from './audit.repository';

const SEALER_LOCK = 'audit:sealer';
const SEALER_LOCK_TTL_MS = 60_000;
/** The most entries one batch holds: bounds the work of one proof (it rehashes its batch). */
export const MAX_BATCH_LEAVES = 16_384;
/** How long a tick waits for the transactions open at its start to end before leaving the work to the next tick. */
const SAFE_POINT_WAIT_MS = 2_000;
const SAFE_POINT_POLL_MS = 10;

export interface SealResult {
  batches: number;
  entries: number;
  /** The newest batch after this run (null while nothing was ever sealed). */
  head: { id: string; hash: string } | null;
}

@Injectable()
export class AuditSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditSealer');
  private readonly hasher: AuditHasher;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly repository: AuditRepository,
    private readonly heads: AuditHeadStore,
    private readonly locks: LockService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'auditKey' | 'auditSealIntervalMs'>,
  ) {
    this.hasher = new AuditHasher(config.auditKey);
  }

  onApplicationBootstrap(): void {
    if (this.config.auditSealIntervalMs <= 0) return;
    this.timer = setInterval(() => this.sealInBackground(), this.config.auditSealIntervalMs);
    this.timer.unref();
  }

  /** Seals what is left while the database is still open, so a stopped instance leaves no entry unsealed for long. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.sealUnderLock();
  }

  /**
   * Seals every entry up to the safe point, under the cluster-wide sealer lock. Returns null when
   * another instance holds the lock (it is sealing the same entries).
   */
  async sealPending(): Promise<SealResult | null> {
    let result: SealResult | null = null;
    const acquired = await this.locks.withLock(SEALER_LOCK, SEALER_LOCK_TTL_MS, async (lost) => {
      result = await this.sealUpTo(await this.findSafePoint(), lost);
    });
    return acquired ? result : null;
  }

  private sealInBackground(): void {
    if (this.running) return;
    this.running = this.sealUnderLock().finally(() => {
      this.running = undefined;
    });
  }

  private async sealUnderLock(): Promise<void> {
    try {
      await this.sealPending();
    } catch (error) {
      this.logger.warn({ msg: 'audit sealing failed; the next run retries', err: error });
    }
  }

  /**
   * The highest id below which no entry can still appear, or null if the transactions open now do
   * not end within SAFE_POINT_WAIT_MS (the next run tries again).
   *
   * Why not "entries older than a grace period": an entry's id is drawn when it is inserted, but
   * it becomes visible only when its transaction commits, which may be much later (a long
   * transaction, a lock wait, a stalled client), so a lower id can appear after a higher one was
   * sealed, however long the grace. Why not "the highest id visible now": same reason.
   *
   * Instead: (1) read the highest id drawn so far, L; (2) then take a new transaction id X in a
   * transaction of its own: transaction ids are handed out in order, so every transaction that had
   * one before (2) has one below X. An entry's transaction takes its transaction id before drawing
   * the entry's id (AuditRepository.insert), so every entry with an id <= L belongs to a transaction
   * with an id below X. (3) Wait until the oldest transaction still open (pg_snapshot_xmin of a
   * fresh snapshot) is >= X: then each of those transactions has committed or rolled back, and
   * every entry with id <= L that will ever exist is visible. Transactions that started after (2)
   * do not hold it up, and read-only ones never do (they have no transaction id). In embedded mode
   * PGlite runs one transaction at a time, so (3) holds at once. The cost is one transaction id per
   * run, which is nothing next to the writes being sealed.
   */
  private async findSafePoint(): Promise<string | null> {
    const lastDrawn = await this.repository.lastDrawnId();
    const xid = await this.repository.newTransactionId();
    const deadline = this.clock.nowMs() + SAFE_POINT_WAIT_MS;
    while (!(await this.repository.transactionsEndedBefore(xid))) {
      if (this.clock.nowMs() >= deadline) {
        this.logger.warn({ msg: 'audit sealing deferred: transactions are still open', waitedMs: SAFE_POINT_WAIT_MS });
        return null;
      }
      await sleep(SAFE_POINT_POLL_MS);
    }
    return lastDrawn;
  }

  private async sealUpTo(safePoint: string | null, lost: AbortSignal): Promise<SealResult> {
    const result: SealResult = { batches: 0, entries: 0, head: null };
    if (safePoint !== null) {
      for (;;) {
        if (lost.aborted) break;
        const sealed = await this.em.fork().transactional((em) => this.sealOneBatch(em, safePoint));
        if (!sealed) break;
        result.batches += 1;
        result.entries += sealed.size;
        result.head = { id: sealed.id, hash: sealed.chainedHash };
      }
    }
    if (result.head) {
      // After the commit: the head recorded outside the database never names a batch that could still roll back.
      await this.heads.save({ ...result.head, recordedAt: this.clock.now().toISOString() });
      this.logger.debug({ msg: 'audit entries sealed', batches: result.batches, entries: result.entries, auditHeadId: result.head.id });
    }
    return result;
  }

  /** One batch of at most MAX_BATCH_LEAVES entries after the newest batch, up to `safePoint`; null when there is none. */
  private async sealOneBatch(em: EntityManager, safePoint: string): Promise<{ id: string; size: number; chainedHash: string } | null> {
    const previous = await this.repository.lockLastBatch(em);
    const afterId = previous?.lastSeq ?? '0';
    if (BigInt(afterId) >= BigInt(safePoint)) return null;
    const rows = await this.repository.entriesAfter(em, afterId, safePoint, MAX_BATCH_LEAVES);
    if (rows.length === 0) return null;
    const batch = {
      firstSeq: String(BigInt(afterId) + 1n),
      lastSeq: rows[rows.length - 1].id,
      size: rows.length,
      root: this.hasher.rootOf(rows.map((row) => row.leaf)),
      prevHash: previous?.chainedHash ?? AUDIT_GENESIS_HASH,
      sealedAt: this.clock.now(),
    };
    const chainedHash = this.hasher.chainedHash(batch);
    const id = await this.repository.insertBatch(em, { ...batch, chainedHash });
    return { id, size: batch.size, chainedHash };
  }
}
