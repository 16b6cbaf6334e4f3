// The audit log every module writes to: who did what, in which category, when, with redacted
// details. Entries form a hash chain (each stores the previous entry's hash), keyed with AUDIT_KEY
// (HMAC-SHA256), so a changed or removed entry is detectable by verifyAuditChain() and nobody
// without the key can compute a consistent replacement. The chain's head is also recorded outside
// the database at every retention run (recordChainHead), so even a rewrite by someone holding the
// key disagrees with it.
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, createHmac } from 'node:crypto';
import { Clock } from '../clock/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuditHeadStore, RecordedAuditHead } from './audit-head.store';
import { redactForLog } from '../logging/redact-for-log';
import { AuditEntry } from './audit-entry.entity';
import { AuditRepository } from './audit.repository';

/** The `prevHash` of the first entry ever written. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
const VERIFY_BATCH = 1000;

/** Hashes of keyed entries carry this prefix; older, unkeyed ones are plain SHA-256 hex. */
const KEYED_PREFIX = 'k1:';

export interface AuditChainReport {
  valid: boolean;
  checked: number;
  /** The first entry at which the chain breaks, and why. */
  brokenAt?: { id: string; reason: 'hash_mismatch' | 'link_mismatch' | 'unkeyed_after_keyed' };
  /** The head recorded outside the database at the last retention run, and whether the chain still has it. */
  recordedHead: (RecordedAuditHead & { matches: boolean }) | null;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly em: EntityManager,
    private readonly repository: AuditRepository,
    private readonly heads: AuditHeadStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'auditKey'>,
  ) {}

  async audit(userId: string | null, action: string, category: string, details: Record<string, unknown> = {}): Promise<void> {
    // JSON round trip first: the hash must be computed over exactly what jsonb gives back.
    const safeDetails = JSON.parse(JSON.stringify(redactForLog(details))) as Record<string, unknown>;
    const createdAt = this.clock.now();
    const write = async (em: EntityManager) => {
      await this.repository.lockChain(em);
      const { id, lastHash } = await this.repository.nextIdAndLastHash(em);
      const prevHash = lastHash ?? AUDIT_GENESIS_HASH;
      const entry = { id, userId, action, category, details: safeDetails, createdAt, prevHash };
      await this.repository.insert(em, { ...entry, hash: keyedHash(entry, this.config.auditKey) });
    };
    // Join the caller's transaction when there is one, so the audit entry commits with the change.
    const current = this.em.getContext(false);
    if (current.isInTransaction()) await write(current);
    else await this.em.transactional(write);
  }

  listForUser(userId: string, limit = 500): Promise<AuditEntry[]> {
    return this.repository.listForUser(userId, limit);
  }

  /**
   * Records the chain's head outside the database: in the head store, in the log and (read at
   * scrape time) in the `repazoo_audit_chain_head` metric. Called at every retention run.
   */
  async recordChainHead(): Promise<RecordedAuditHead | null> {
    const head = await this.repository.chainHead();
    if (!head) return null;
    const recorded = { ...head, recordedAt: this.clock.now().toISOString() };
    await this.heads.save(recorded);
    this.logger.log({ msg: 'audit chain head recorded', auditHeadId: recorded.id, auditHeadHash: recorded.hash });
    return recorded;
  }

  /** The head recorded at the last retention run, if any. */
  recordedChainHead(): Promise<RecordedAuditHead | null> {
    return this.heads.load();
  }

  /**
   * Walks the chain in id order, then checks the head recorded outside the database against it.
   * Retention removes the oldest entries, so the first remaining entry is the anchor; any gap or
   * edit after it breaks the chain. Entries written before the chain was keyed (plain SHA-256)
   * are accepted only before the first keyed one, so a rewrite cannot fall back to unkeyed hashes.
   */
  async verifyAuditChain(): Promise<AuditChainReport> {
    const recorded = await this.heads.load();
    const recordedHead = recorded ? { ...recorded, matches: (await this.repository.hashOf(recorded.id)) === recorded.hash } : null;
    let previousHash: string | undefined;
    let keyedSeen = false;
    let afterId = '0';
    let checked = 0;
    for (;;) {
      const rows = await this.repository.readBatchAfter(afterId, VERIFY_BATCH);
      for (const row of rows) {
        if (previousHash !== undefined && row.prev_hash !== previousHash) {
          return { valid: false, checked, brokenAt: { id: row.id, reason: 'link_mismatch' }, recordedHead };
        }
        const entry: HashableEntry = {
          id: row.id,
          userId: row.user_id,
          action: row.action,
          category: row.category,
          details: row.details,
          createdAt: new Date(row.created_at),
          prevHash: row.prev_hash,
        };
        const keyed = row.hash.startsWith(KEYED_PREFIX);
        if (!keyed && keyedSeen) return { valid: false, checked, brokenAt: { id: row.id, reason: 'unkeyed_after_keyed' }, recordedHead };
        keyedSeen ||= keyed;
        const expected = keyed ? keyedHash(entry, this.config.auditKey) : unkeyedHash(entry);
        if (expected !== row.hash) return { valid: false, checked, brokenAt: { id: row.id, reason: 'hash_mismatch' }, recordedHead };
        previousHash = row.hash;
        checked += 1;
      }
      if (rows.length < VERIFY_BATCH) return { valid: recordedHead === null || recordedHead.matches, checked, recordedHead };
      afterId = rows[rows.length - 1].id;
    }
  }
}

interface HashableEntry {
  id: string;
  userId: string | null;
  action: string;
  category: string;
  details: unknown;
  createdAt: Date;
  prevHash: string;
}

function keyedHash(entry: HashableEntry, key: string): string {
  return KEYED_PREFIX + createHmac('sha256', key).update(canonicalOf(entry)).digest('hex');
}

/** How entries written before the chain was keyed were hashed; only verified, never written. */
function unkeyedHash(entry: HashableEntry): string {
  return createHash('sha256').update(canonicalOf(entry)).digest('hex');
}

function canonicalOf(entry: HashableEntry): string {
  return canonicalJson([
    entry.id,
    entry.userId,
    entry.action,
    entry.category,
    entry.details,
    entry.createdAt.toISOString(),
    entry.prevHash,
  ]);
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
