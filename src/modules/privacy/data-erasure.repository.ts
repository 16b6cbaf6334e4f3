// Query code of "delete my data": set-based deletes and pseudonymisation by the person column a
// personal-data declaration names, all on the erasure's transaction. Table and column names come
// from the personal-data map (validated identifiers), never from input.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** Rows pseudonymised per statement: memory stays bounded for a person with many events. */
const PSEUDONYMISE_BATCH = 500;

@Injectable()
export class DataErasureRepository {
  /** Serialises concurrent erasures of one person (a double click): the second sees zero rows. */
  async lockErasure(em: EntityManager, userId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`erasure:${userId}`]);
  }

  /** Deletes every row of `table` whose `column` is `person`; returns how many went. */
  async deleteRows(em: EntityManager, table: string, column: string, person: string): Promise<number> {
    // The driver's row count: returning a million ids only to count them took 4x the delete.
    const { affectedRows } = await em.execute<{ affectedRows: number }>(`delete from ${table} where ${column} = ?`, [person], 'run');
    return affectedRows;
  }

  /** Deletes the rows like `deleteRows`, returning each row's file path (null for rows without a file). */
  async deleteRowsWithFiles(em: EntityManager, table: string, column: string, person: string, fileColumn: string): Promise<(string | null)[]> {
    const rows = await em.execute<Array<{ file: string | null }>>(`delete from ${table} where ${column} = ? returning ${fileColumn} as file`, [person]);
    return rows.map((row) => row.file);
  }

  /**
   * Rewrites `columns` of every row whose `personColumn` is `person`, batch by batch, through
   * `rewrite`: each batch is one SELECT ... FOR UPDATE and one UPDATE of all its rows (a row per
   * statement took a round trip per billing event). The person column is among the rewritten ones
   * (the map checks), so each batch leaves the rows it rewrote out of the next one. Returns how
   * many rows were rewritten.
   */
  async pseudonymiseRows(
    em: EntityManager,
    table: string,
    personColumn: string,
    person: string,
    columns: readonly string[],
    rewrite: (row: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await em.execute<Array<Record<string, unknown> & { row_ref: string }>>(
        `select ctid::text as row_ref, ${columns.join(', ')} from ${table} where ${personColumn} = ? limit ${PSEUDONYMISE_BATCH} for update`,
        [person],
      );
      if (rows.length > 0) {
        // The batch goes as one JSON array; jsonb_populate_record gives each value its column's type.
        // The rows are locked by this transaction, so their ctids hold until the update.
        const batch = rows.map((row) => ({ ...rewrite(row), row_ref: row.row_ref }));
        await em.execute(
          `update ${table} t set ${columns.map((column) => `${column} = v.${column}`).join(', ')}
             from (select (e ->> 'row_ref')::tid as row_ref, (jsonb_populate_record(null::${table}, e)).*
                     from jsonb_array_elements(?::jsonb) e) v
            where t.ctid = v.row_ref`,
          [JSON.stringify(batch)],
        );
      }
      total += rows.length;
      if (rows.length < PSEUDONYMISE_BATCH) return total;
    }
  }

  async markErased(em: EntityManager, userId: string, erasedAt: Date): Promise<void> {
    await em.execute('update users set erased_at = ? where id = ?', [erasedAt, userId]);
  }
}
