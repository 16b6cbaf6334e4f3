// The audit log every module writes to: who did what, in which category, when, with redacted
// details. Entries form a hash chain (each stores the previous entry's hash), so a changed or
// removed entry is detectable by verifyAuditChain().
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../clock/clock';
import { redactForLog } from '../logging/redact-for-log';
import { AuditEntry } from './audit-entry.entity';

/** The `prevHash` of the first entry ever written. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
/** Serialises writers so each entry links to the one before it, across every app instance. */
const AUDIT_CHAIN_LOCK = 7_316_001;
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
    private readonly clock: Clock,
  ) {}

  async audit(userId: string | null, action: string, category: string, details: Record<string, unknown> = {}): Promise<void> {
    // JSON round trip first: the hash must be computed over exactly what jsonb gives back.
    const safeDetails = JSON.parse(JSON.stringify(redactForLog(details))) as Record<string, unknown>;
    const createdAt = this.clock.now();
    // em.execute (not getConnection().execute) so every statement runs inside the transaction.
    const write = async (em: EntityManager) => {
      // The lock is a statement of its own: a statement reads with the snapshot taken when it
      // starts, so the read of the last hash must start after the lock is held, or it could miss
      // the entry the previous holder committed.
      await em.execute('select pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
      const [{ id, last_hash: lastHash }] = await em.execute<{ id: string; last_hash: string | null }[]>(
        `select nextval(pg_get_serial_sequence('audit_log', 'id'))::text as id,
                (select hash from audit_log order by id desc limit 1) as last_hash`,
      );
      const prevHash = lastHash ?? AUDIT_GENESIS_HASH;
      const entry = { id, userId, action, category, details: safeDetails, createdAt, prevHash };
      await em.execute(
        'insert into audit_log (id, user_id, action, category, details, created_at, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)',
        [id, userId, action, category, JSON.stringify(safeDetails), createdAt, prevHash, hashEntry(entry)],
      );
    };
    // Join the caller's transaction when there is one, so the audit entry commits with the change.
    if (this.em.isInTransaction()) await write(this.em);
    else await this.em.transactional(write);
  }

  listForUser(userId: string, limit = 500): Promise<AuditEntry[]> {
    return this.em.find(AuditEntry, { userId }, { orderBy: { id: 'desc' }, limit });
  }

  /**
   * Walks the chain in id order. Retention removes the oldest entries, so the first remaining
   * entry is the anchor; any gap or edit after it breaks the chain.
   */
  async verifyAuditChain(): Promise<AuditChainReport> {
    const connection = this.em.getConnection();
    let previousHash: string | undefined;
    let afterId = '0';
    let checked = 0;
    for (;;) {
      const rows = await connection.execute<AuditRow[]>(
        'select id::text as id, user_id, action, category, details, created_at, prev_hash, hash from audit_log where audit_log.id > ? order by audit_log.id limit ?',
        [afterId, VERIFY_BATCH],
      );
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

interface AuditRow {
  id: string;
  user_id: string | null;
  action: string;
  category: string;
  details: Record<string, unknown>;
  created_at: string | Date;
  prev_hash: string;
  hash: string;
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
