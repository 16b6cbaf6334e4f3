// Query code of the Export module: `data_exports` rows, the per-user export lock and the reads that
// stream one person's data into an export file.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DataExport } from './entities/data-export.entity';
import { EXPORT_BATCH_SIZE, ExportSection } from './export-sections';

/** What marking an export ready writes. */
export type ReadyExport = Required<Pick<DataExport, 'filePath' | 'sizeBytes' | 'completedAt' | 'expiresAt'>>;

@Injectable()
export class ExportRepository {
  constructor(private readonly em: EntityManager) {}

  /** The request's (or run's) entity manager, for reads outside a transaction. */
  entityManager(): EntityManager {
    return this.em;
  }

  /** Serialises one person's export requests until the transaction ends. */
  async lockUserExports(em: EntityManager, userId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`export:${userId}`]);
  }

  /** The person's export whose run is still queued or running, if any. */
  async findInProgress(em: EntityManager, userId: string): Promise<{ exportId: string; runId: string } | null> {
    const [row] = await em.execute<{ id: string; run_id: string }[]>(
      `select e.id, e.run_id from data_exports e join workflow_runs r on r.id = e.run_id
        where e.user_id = ? and e.deleted_at is null and e.status = 'pending' and r.state in ('PENDING', 'RUNNING')
        order by e.created_at desc limit 1`,
      [userId],
    );
    return row ? { runId: row.run_id, exportId: row.id } : null;
  }

  /** When the person's newest `limit` exports since `since` were started, newest first; deleted ones too. */
  async startedSince(em: EntityManager, userId: string, since: Date, limit: number): Promise<Date[]> {
    const rows = await em.execute<{ created_at: Date }[]>(
      'select created_at from data_exports where user_id = ? and created_at > ? order by created_at desc limit ?',
      [userId, since, limit],
    );
    return rows.map((row) => new Date(row.created_at));
  }

  findReady(exportId: string): Promise<DataExport | null> {
    return this.em.findOne(DataExport, { id: exportId, deletedAt: null, status: 'ready' });
  }

  findForUser(userId: string, exportId: string): Promise<DataExport | null> {
    return this.em.findOne(DataExport, { id: exportId, userId, deletedAt: null });
  }

  /** False when the export row is gone (erased while the file was written). */
  async markReady(em: EntityManager, exportId: string, ready: ReadyExport): Promise<boolean> {
    const marked = await em.nativeUpdate(DataExport, { id: exportId, deletedAt: null }, { status: 'ready', ...ready });
    return marked === 1;
  }

  /**
   * One batch of a section's rows (keyset paging on `section.orderBy`, after the `after` cursor),
   * each with its `cursor` column for the next call. `person` is what the section's person column
   * holds (the user id, or its keyed hash); table and column names come from the personal-data map.
   */
  sectionBatch(section: ExportSection, person: string, after: string | null): Promise<Array<Record<string, unknown>>> {
    const alive = section.softDeletable ? 'and deleted_at is null' : '';
    return this.em.getConnection().execute(
      `select ${section.columns}, ${section.orderBy}::text as cursor from ${section.table}
        where ${section.personColumn} = ? ${alive} ${after === null ? '' : `and ${section.orderBy} > ?`}
        order by ${section.orderBy} limit ${EXPORT_BATCH_SIZE}`,
      after === null ? [person] : [person, after],
    );
  }
}
