// The audit log every module writes to: who did what, in which category, when, with redacted
// details. Entries form a hash chain (each stores the previous entry's hash), so a changed or
// removed entry is detectable by verifyAuditChain().
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../clock/clock';
import { redactForLog } from '../logging/redact-for-log';
import { AuditEntry } from './audit-entry.entity';
import { AuditRepository } from './audit.repository';

/** The `prevHash` of the first entry ever written. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
const VERIFY_BATCH = 1000;

export interface AuditChainReport {
  valid: boolean;
  checked: number;
  /** The first entry at which the chain breaks, and why. */
  brokenAt?: { id: string; reason: 'hash_mismatch' | 'link_mismatch' };
}

@Injectable()
export class AuditService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
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
      await this.repository.insert(em, { ...entry, hash: hashEntry(entry) });
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
   * Walks the chain in id order. Retention removes the oldest entries, so the first remaining
   * entry is the anchor; any gap or edit after it breaks the chain.
   */
  async verifyAuditChain(): Promise<AuditChainReport> {
    let previousHash: string | undefined;
    let afterId = '0';
    let checked = 0;
    for (;;) {
      const rows = await this.repository.readBatchAfter(afterId, VERIFY_BATCH);
      for (const row of rows) {
        if (previousHash !== undefined && row.prev_hash !== previousHash) {
          return { valid: false, checked, brokenAt: { id: row.id, reason: 'link_mismatch' } };
        }
        const expected = hashEntry({
          id: row.id,
          userId: row.user_id,
          action: row.action,
          category: row.category,
          details: row.details,
          createdAt: new Date(row.created_at),
          prevHash: row.prev_hash,
        });
        if (expected !== row.hash) return { valid: false, checked, brokenAt: { id: row.id, reason: 'hash_mismatch' } };
        previousHash = row.hash;
        checked += 1;
      }
      if (rows.length < VERIFY_BATCH) return { valid: true, checked };
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

function hashEntry(entry: HashableEntry): string {
  const canonical = canonicalJson([
    entry.id,
    entry.userId,
    entry.action,
    entry.category,
    entry.details,
    entry.createdAt.toISOString(),
    entry.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
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
