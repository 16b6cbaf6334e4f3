// Query code of the audit log and its sealed batches: the lock-free append, what the sealer needs
// to find a safe point (the id sequence and the transaction snapshot), and the reads of listing,
// verification and proofs. Methods that run in a caller's transaction take its EntityManager first.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AUDIT_LEAF_TEXT_SQL } from './audit-hashing';
import { AuditEntry } from './audit-entry.entity';

/** An entry as its leaf hash covers it: its id and its leaf text (AUDIT_LEAF_TEXT_SQL), nothing parsed. */
export interface AuditLeafRow {
  id: string;
  leaf: string;
}

export interface NewAuditRow {
  userId: string | null;
  action: string;
  category: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface AuditBatchRow {
  id: string;
  firstSeq: string;
  lastSeq: string;
  size: number;
  root: string;
  prevHash: string;
  chainedHash: string;
  sealedAt: Date;
}

export type NewAuditBatchRow = Omit<AuditBatchRow, 'id'>;

const BATCH_COLUMNS =
  'id::text as "id", first_seq::text as "firstSeq", last_seq::text as "lastSeq", size, root, prev_hash as "prevHash", chained_hash as "chainedHash", sealed_at as "sealedAt"';
/** Queries qualify `id` with the table: the text alias `id` would otherwise sort and compare as text. */
const LEAF_COLUMNS = `audit_log.id::text as id, ${AUDIT_LEAF_TEXT_SQL} as leaf`;

@Injectable()
export class AuditRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Appends one entry, taking no lock. The CTE makes the transaction take its transaction id
   * (pg_current_xact_id) before the id sequence is advanced: the sealer relies on every entry's id
   * being drawn by a transaction that already has an xid (see AuditSealer.findSafePoint). A plain
   * insert would draw the id while building the row and get its xid only when storing it.
   */
  async insert(em: EntityManager, row: NewAuditRow): Promise<string> {
    const [inserted] = await em.execute<{ id: string }[]>(
      `with tx as materialized (select pg_current_xact_id() as xid)
       insert into audit_log (id, user_id, action, category, details, created_at)
       select nextval('audit_log_id_seq'), ?, ?, ?, ?::jsonb, ? from tx
       returning id::text as id`,
      [row.userId, row.action, row.category, JSON.stringify(row.details), row.createdAt],
    );
    return inserted.id;
  }

  listForUser(userId: string, limit: number): Promise<AuditEntry[]> {
    return this.em.find(AuditEntry, { userId }, { orderBy: { id: 'desc' }, limit });
  }

  /** The highest id the sequence has handed out (0 before the first). Not transactional: counts ids of open transactions too. */
  async lastDrawnId(): Promise<string> {
    const [row] = await this.em
      .getConnection()
      .execute<{ id: string }[]>('select (case when is_called then last_value else last_value - 1 end)::text as id from audit_log_id_seq');
    return row.id;
  }

  /**
   * A transaction id newer than every one handed out before this call: its own, taken by a
   * one-statement transaction. (A snapshot's xmax would not do: it is the newest *completed* id
   * plus one, so a transaction that took its id just before can be at or above it, yet not listed.)
   */
  async newTransactionId(): Promise<string> {
    const [row] = await this.em.getConnection().execute<{ xid: string }[]>('select pg_current_xact_id()::text as xid');
    return row.xid;
  }

  /** Whether every transaction with an id below `xid` has ended (committed or rolled back). */
  async transactionsEndedBefore(xid: string): Promise<boolean> {
    const [row] = await this.em
      .getConnection()
      .execute<{ ended: boolean }[]>('select pg_snapshot_xmin(pg_current_snapshot()) >= ?::xid8 as ended', [xid]);
    return row.ended;
  }

  /** The newest batch, locked against a second sealer for the transaction (the lock service already keeps one; this is the backstop). */
  async lockLastBatch(em: EntityManager): Promise<AuditBatchRow | null> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', ['audit:sealer']);
    const [row] = await em.execute<AuditBatchRow[]>(`select ${BATCH_COLUMNS} from audit_batches order by audit_batches.id desc limit 1`);
    return row ? withDate(row) : null;
  }

  async lastBatch(): Promise<AuditBatchRow | null> {
    const [row] = await this.em.getConnection().execute<AuditBatchRow[]>(`select ${BATCH_COLUMNS} from audit_batches order by audit_batches.id desc limit 1`);
    return row ? withDate(row) : null;
  }

  async insertBatch(em: EntityManager, batch: NewAuditBatchRow): Promise<string> {
    const [row] = await em.execute<{ id: string }[]>(
      'insert into audit_batches (first_seq, last_seq, size, root, prev_hash, chained_hash, sealed_at) values (?, ?, ?, ?, ?, ?, ?) returning id::text as id',
      [batch.firstSeq, batch.lastSeq, batch.size, batch.root, batch.prevHash, batch.chainedHash, batch.sealedAt],
    );
    return row.id;
  }

  /** Up to `limit` entries with `afterId` < id <= `throughId`, in id order. */
  entriesAfter(em: EntityManager, afterId: string, throughId: string, limit: number): Promise<AuditLeafRow[]> {
    return em.execute<AuditLeafRow[]>(`select ${LEAF_COLUMNS} from audit_log where audit_log.id > ? and audit_log.id <= ? order by audit_log.id limit ?`, [afterId, throughId, limit]);
  }

  /** Every entry with an id from `firstSeq` to `lastSeq`, in id order: one batch's leaves. */
  entriesOf(batch: Pick<AuditBatchRow, 'firstSeq' | 'lastSeq'>): Promise<AuditLeafRow[]> {
    return this.em
      .getConnection()
      .execute<AuditLeafRow[]>(`select ${LEAF_COLUMNS} from audit_log where audit_log.id between ? and ? order by audit_log.id`, [batch.firstSeq, batch.lastSeq]);
  }

  /** Up to `limit` batches after `afterId`, in id (chain) order. */
  async batchesAfter(afterId: string, limit: number): Promise<AuditBatchRow[]> {
    const rows = await this.em
      .getConnection()
      .execute<AuditBatchRow[]>(`select ${BATCH_COLUMNS} from audit_batches where audit_batches.id > ? order by audit_batches.id limit ?`, [afterId, limit]);
    return rows.map(withDate);
  }

  async batchById(id: string): Promise<AuditBatchRow | null> {
    const [row] = await this.em.getConnection().execute<AuditBatchRow[]>(`select ${BATCH_COLUMNS} from audit_batches where audit_batches.id = ?`, [id]);
    return row ? withDate(row) : null;
  }

  /** The batch whose range holds entry id `entryId` (null while the entry is not sealed). */
  async batchCovering(entryId: string): Promise<AuditBatchRow | null> {
    const [row] = await this.em
      .getConnection()
      .execute<AuditBatchRow[]>(`select ${BATCH_COLUMNS} from audit_batches where audit_batches.last_seq >= ? and audit_batches.first_seq <= ? order by audit_batches.last_seq limit 1`, [
        entryId,
        entryId,
      ]);
    return row ? withDate(row) : null;
  }

  async entryExists(id: string): Promise<boolean> {
    const rows = await this.em.getConnection().execute<unknown[]>('select 1 from audit_log where audit_log.id = ?', [id]);
    return rows.length > 0;
  }

  /** Entries no batch covers yet: how many, and the oldest. */
  async unsealedAfter(lastSealedId: string): Promise<{ count: number; oldestId: string | null; oldestCreatedAt: Date | null }> {
    const [row] = await this.em.getConnection().execute<{ count: string; oldest_id: string | null; oldest_created_at: string | Date | null }[]>(
      'select count(*)::text as count, min(id)::text as oldest_id, min(created_at) as oldest_created_at from audit_log where id > ?',
      [lastSealedId],
    );
    return {
      count: Number(row.count),
      oldestId: row.oldest_id,
      oldestCreatedAt: row.oldest_created_at === null ? null : new Date(row.oldest_created_at),
    };
  }

  /** Entries below the first batch's range (none unless someone inserted them there). */
  async countEntriesBefore(firstSeq: string): Promise<number> {
    const [row] = await this.em.getConnection().execute<{ count: string }[]>('select count(*)::text as count from audit_log where id < ?', [firstSeq]);
    return Number(row.count);
  }
}

function withDate(row: AuditBatchRow): AuditBatchRow {
  return { ...row, size: Number(row.size), sealedAt: new Date(row.sealedAt) };
}
