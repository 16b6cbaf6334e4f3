// Query code of the audit log: the chain lock, the next id with the last hash, the insert, and the
// reads of listing and verification. Writes take the transaction's EntityManager: the lock, the
// read of the last hash and the insert must share one transaction, or two writers could link to
// the same entry.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditEntry } from './audit-entry.entity';

/** Serialises writers so each entry links to the one before it, across every app instance. */
const AUDIT_CHAIN_LOCK = 7_316_001;

/** An entry as stored, read without hydration (verification reads the whole table). */
export interface AuditRow {
  id: string;
  user_id: string | null;
  action: string;
  category: string;
  details: Record<string, unknown>;
  created_at: string | Date;
  prev_hash: string;
  hash: string;
}

export interface NewAuditRow {
  id: string;
  userId: string | null;
  action: string;
  category: string;
  details: Record<string, unknown>;
  createdAt: Date;
  prevHash: string;
  hash: string;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Holds the chain lock until the transaction ends. A statement of its own: a statement reads
   * with the snapshot taken when it starts, so the read of the last hash must start after the lock
   * is held, or it could miss the entry the previous holder committed.
   */
  async lockChain(em: EntityManager): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
  }

  /** The id the next entry takes and the hash of the last entry (null for an empty log). */
  async nextIdAndLastHash(em: EntityManager): Promise<{ id: string; lastHash: string | null }> {
    const [row] = await em.execute<{ id: string; last_hash: string | null }[]>(
      `select nextval(pg_get_serial_sequence('audit_log', 'id'))::text as id,
              (select hash from audit_log order by id desc limit 1) as last_hash`,
    );
    return { id: row.id, lastHash: row.last_hash };
  }

  async insert(em: EntityManager, row: NewAuditRow): Promise<void> {
    await em.execute(
      'insert into audit_log (id, user_id, action, category, details, created_at, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)',
      [row.id, row.userId, row.action, row.category, JSON.stringify(row.details), row.createdAt, row.prevHash, row.hash],
    );
  }

  listForUser(userId: string, limit: number): Promise<AuditEntry[]> {
    return this.em.find(AuditEntry, { userId }, { orderBy: { id: 'desc' }, limit });
  }

  /** Up to `limit` entries after `afterId`, in id order. */
  readBatchAfter(afterId: string, limit: number): Promise<AuditRow[]> {
    return this.em
      .getConnection()
      .execute<AuditRow[]>(
        'select id::text as id, user_id, action, category, details, created_at, prev_hash, hash from audit_log where audit_log.id > ? order by audit_log.id limit ?',
        [afterId, limit],
      );
  }

  /** The newest entry's id and hash (null for an empty log). */
  async chainHead(): Promise<{ id: string; hash: string } | null> {
    const [row] = await this.em.getConnection().execute<{ id: string; hash: string }[]>('select id::text as id, hash from audit_log order by id desc limit 1');
    return row ?? null;
  }

  /** The hash of one entry (null when it is gone). */
  async hashOf(id: string): Promise<string | null> {
    const [row] = await this.em.getConnection().execute<{ hash: string }[]>('select hash from audit_log where id = ?', [id]);
    return row?.hash ?? null;
  }
}
