// Query code of the retention cleanup: one bounded batch per statement, each short and taking
// only the rows it can lock (`for update skip locked`), so big tables are never held for long.
// Tables and conditions come from the personal-data map's declarations (retention-policy.ts), never from input.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EXPORTS_DIR } from '../export/export-files';
import type { RetentionTarget } from './retention-policy';

@Injectable()
export class RetentionRepository {
  constructor(private readonly em: EntityManager) {}

  /** Soft-deletes up to `limit` expired rows; returns them (with their file, for tables that declare one). */
  async softDeleteBatch(target: RetentionTarget, params: Date[], now: Date, limit: number): Promise<{ id: string; filePath: string | null }[]> {
    const returning = target.fileColumn ? `id, ${target.fileColumn} as file_path` : 'id';
    const rows = await this.em.getConnection().execute<{ id: string; file_path?: string | null }[]>(
      `update ${target.table} set deleted_at = ? where id in (
         select t.id from ${target.table} t where t.deleted_at is null and (${target.expiredWhere})
         limit ${limit} for update skip locked)
       returning ${returning}`,
      [now, ...params],
    );
    return rows.map((row) => ({ id: row.id, filePath: row.file_path ?? null }));
  }

  /** Hard-deletes up to `limit` rows of `table` matching `where` (alias `t`); returns how many went. */
  async deleteBatch(table: string, where: string, params: Date[], limit: number): Promise<number> {
    const rows = await this.em.getConnection().execute<{ id: string }[]>(
      `delete from ${table} where id in (
         select t.id from ${table} t where ${where} limit ${limit} for update skip locked)
       returning id`,
      params,
    );
    return rows.length;
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
