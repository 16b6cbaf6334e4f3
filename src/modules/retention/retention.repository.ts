// Query code of the retention cleanup: one bounded batch per statement, each short and taking
// only the rows it can lock (`for update skip locked`), so big tables are never held for long.
// A batch is a range of the table's pages (a TID range scan), not "the first N matching rows":
// rows a batch updated or skipped are never read again by the next one, so a run costs one pass
// over the table however many rows expire (finding the next N rows again from the start made each
// batch walk every row done before it: quadratic on millions of expired rows).
// A run's batches go through a connection of their own (`connect`), not the API's pool: a batch
// never queues behind API requests for a pooled connection, nor holds one they wait for.
// Tables and conditions come from the personal-data map's declarations (retention-policy.ts), never from input.
import { Knex, knex } from '@mikro-orm/knex';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EXPORTS_DIR } from '../export/export-files';
import type { RetentionTarget } from './retention-policy';

/** A batch's pages: `[from, to)`, page numbers of the table's heap. */
export interface PageRange {
  from: number;
  to: number;
}

/** One run's own database connection (`?` placeholders, as everywhere else). */
export interface RetentionConnection {
  query<T>(sql: string, params: readonly Knex.RawBinding[]): Promise<{ rows: T[]; rowCount: number }>;
  close(): Promise<void>;
}

@Injectable()
export class RetentionRepository {
  constructor(private readonly em: EntityManager) {}

  /** Opens a connection of the run's own, to the ORM's database; `close` it when the run ends. */
  connect(): RetentionConnection {
    const db = knex({ client: 'pg', connection: this.em.config.get('clientUrl'), pool: { min: 0, max: 1 } });
    return {
      async query<T>(sql: string, params: readonly Knex.RawBinding[]) {
        const result = (await db.raw(sql, params)) as { rows: T[]; rowCount: number | null };
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      },
      close: () => db.destroy(),
    };
  }

  /** How many pages the table has now; a run covers these (rows added later are new, so not expired). */
  async pageCount(db: RetentionConnection, table: string): Promise<number> {
    const { rows } = await db.query<{ pages: string }>(`select (pg_relation_size(?::regclass) / current_setting('block_size')::bigint)::text as pages`, [table]);
    return Number(rows[0].pages);
  }

  /**
   * Soft-deletes the expired rows in `pages`; returns how many, and the files they named (for
   * tables that declare a file column).
   */
  async softDeleteBatch(
    db: RetentionConnection,
    target: RetentionTarget,
    params: Date[],
    now: Date,
    pages: PageRange,
  ): Promise<{ count: number; files: string[] }> {
    const rows = `ctid = any(array(${lockedRows(target.table, `t.deleted_at is null and (${target.expiredWhere})`, pages)}))`;
    // Only a table with files sends rows back; the others just count.
    const returning = target.fileColumn ? ` returning ${target.fileColumn} as file_path` : '';
    const updated = await db.query<{ file_path: string | null }>(`update ${target.table} set deleted_at = ? where ${rows}${returning}`, [now, ...params]);
    return { count: updated.rowCount, files: updated.rows.flatMap((row) => (row.file_path ? [row.file_path] : [])) };
  }

  /** Hard-deletes the rows of `table` in `pages` matching `where` (alias `t`); returns how many went. */
  async deleteBatch(db: RetentionConnection, table: string, where: string, params: Date[], pages: PageRange): Promise<number> {
    const { rowCount } = await db.query(`delete from ${table} where ctid = any(array(${lockedRows(table, where, pages)}))`, params);
    return rowCount;
  }

  /** Whether any row of `table` matches `where` (alias `t`). */
  async exists(db: RetentionConnection, table: string, where: string, params: Date[]): Promise<boolean> {
    const { rows } = await db.query<{ found: boolean }>(`select exists (select 1 from ${table} t where ${where}) as found`, params);
    return rows[0].found;
  }

  async count(table: string, where: string, params: Date[]): Promise<number> {
    const [row] = await this.em
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from ${table} t where ${where}`, params);
    return row.n;
  }

  /**
   * Of these export ids, those whose file a live row accounts for: a ready export naming the file,
   * or a build whose run is still queued or running.
   */
  async liveExportIds(ids: readonly string[]): Promise<ReadonlySet<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.em.getConnection().execute<{ id: string }[]>(
      `select e.id from data_exports e left join workflow_runs r on r.id = e.run_id
        where e.id in (${ids.map(() => '?').join(', ')}) and e.deleted_at is null
          and ((e.status = 'ready' and e.file_path = ('${EXPORTS_DIR}/' || e.id::text || '.json'))
            or (e.status = 'pending' and r.state in ('PENDING', 'RUNNING')))`,
      [...ids],
    );
    return new Set(rows.map((row) => row.id));
  }
}

/**
 * The ctids of the rows of `table` in `pages` matching `where`, locked (those another transaction
 * holds are skipped: the next run takes them). Page numbers are integers the service computed.
 */
function lockedRows(table: string, where: string, pages: PageRange): string {
  return `select t.ctid from ${table} t where t.ctid >= '(${Math.trunc(pages.from)},0)'::tid and t.ctid < '(${Math.trunc(pages.to)},0)'::tid
            and ${where} for update skip locked`;
}
