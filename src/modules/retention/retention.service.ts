// Daily retention cleanup: per category, soft-delete expired rows, then hard-delete rows whose
// soft delete is older than the grace period. Works in bounded batches (each its own short
// statement over a range of the table's pages, so no long-held locks on big tables), pausing after
// each batch so the API's queries get the database's CPU and locks, audits each category with its
// counts, and a broken category is logged and skipped while the others go on. A run stopped half
// way leaves each row either done or not: the next run finishes the rest.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { removeExportFile, sweepOrphanedExportFiles } from '../export/export-files';
import { PersonalDataMap } from '../../core/personal-data';
import {
  RETENTION_DAYS,
  RetentionCategory,
  RetentionCategoryDefinition,
  RetentionTarget,
  retentionCategoriesOf,
  SOFT_DELETE_GRACE_DAYS,
} from './retention-policy';
import { PageRange, RetentionConnection, RetentionRepository } from './retention.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Table pages per batch (8 KB each): about 15,000 log lines, fewer for wider rows. Small enough that
 * a batch takes well under a second and holds its row locks no longer.
 */
export const RETENTION_BATCH_PAGES = 256;
/**
 * After each batch the run rests this many times the batch's own duration (at least a
 * millisecond): the cleanup takes at most about two thirds of one database core, and API queries
 * queued behind a batch run before the next one. At 0.25 (four fifths of a core) the API's p99
 * during a cleanup of 5,000,000 rows reached 2.0x its idle p99 on the 2-vCPU bench machine
 * (bench:lifecycle, target < 2x), with the cleanup at 0.65x a bulk UPDATE's speed (target >= 0.3x).
 */
export const RETENTION_PAUSE_RATIO = 0.5;
export const RETENTION_AUDIT_ACTION = 'Retention cleanup';
export const RETENTION_COMPLETED_ACTION = 'Retention cleanup completed';

export interface RetentionCategoryResult {
  category: RetentionCategory;
  softDeleted: number;
  hardDeleted: number;
  /** Set when the category failed; the run went on with the others. */
  error?: string;
}

export interface RetentionRunResult {
  dryRun: boolean;
  categories: RetentionCategoryResult[];
  /** Export files no live row accounted for, removed (or, on a dry run, found); null when the sweep failed. */
  orphanedExportFiles: number | null;
}

export interface RetentionRunOptions {
  dryRun?: boolean;
  /** Called after every batch, for progress lines on long runs. */
  onProgress?: (category: RetentionCategory, softDeleted: number, hardDeleted: number) => void;
}

export interface RetentionPolicyEntry {
  category: RetentionCategory;
  table: string;
  days: number;
}

@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly repository: RetentionRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly personalData: PersonalDataMap,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The categories and the tables they expire, from the personal-data map. */
  categories(): RetentionCategoryDefinition[] {
    return retentionCategoriesOf(this.personalData.tables());
  }

  policy(): RetentionPolicyEntry[] {
    return this.categories().flatMap(({ category, targets }) =>
      targets.map(({ table }) => ({ category, table, days: RETENTION_DAYS[category] })),
    );
  }

  async cleanupExpiredRecords(now: Date = this.clock.now(), options: RetentionRunOptions = {}): Promise<RetentionRunResult> {
    const dryRun = options.dryRun ?? false;
    const categories: RetentionCategoryResult[] = [];
    // Counting (a dry run) goes through the ORM; deleting through a connection of the run's own.
    const db = dryRun ? null : this.repository.connect();
    try {
      for (const definition of this.categories()) {
        const result: RetentionCategoryResult = { category: definition.category, softDeleted: 0, hardDeleted: 0 };
        try {
          if (db) await this.cleanupCategory(db, definition, now, result, options.onProgress);
          else await this.countCategory(definition, now, result);
          if (db) {
            await this.audit.audit(null, RETENTION_AUDIT_ACTION, 'retention', {
              category: definition.category,
              softDeleted: result.softDeleted,
              hardDeleted: result.hardDeleted,
            });
          }
        } catch (error) {
          result.error = 'cleanup of this category failed; see the logs';
          this.logger.error(
            { msg: 'retention category failed; continuing with the others', category: definition.category },
            error instanceof Error ? error : undefined,
          );
        }
        categories.push(result);
      }
    } finally {
      await db?.close();
    }
    const orphanedExportFiles = await this.sweepExportFiles(dryRun);
    if (!dryRun) {
      await this.audit.audit(null, RETENTION_COMPLETED_ACTION, 'retention', {
        failedCategories: categories.filter((c) => c.error).map((c) => c.category),
        orphanedExportFiles,
      });
      // After the completion entry, so the recorded head covers this run too.
      await this.audit.recordChainHead().catch((error: unknown) => {
        this.logger.error({ msg: 'could not record the audit chain head' }, error instanceof Error ? error : undefined);
      });
    }
    return { dryRun, categories, orphanedExportFiles };
  }

  /** Like a category: a failure is logged and the run goes on. */
  private async sweepExportFiles(dryRun: boolean): Promise<number | null> {
    try {
      const removed = await sweepOrphanedExportFiles(this.config.dataDir, (ids) => this.repository.liveExportIds(ids), { dryRun });
      if (removed > 0) this.logger.warn({ msg: dryRun ? 'orphaned export files found' : 'orphaned export files removed', count: removed });
      return removed;
    } catch (error) {
      this.logger.error({ msg: 'the sweep of orphaned export files failed' }, error instanceof Error ? error : undefined);
      return null;
    }
  }

  /** A dry run: how many rows a run would soft-delete and hard-delete. */
  private async countCategory(definition: RetentionCategoryDefinition, now: Date, result: RetentionCategoryResult): Promise<void> {
    const { cutoff, hardCutoff } = cutoffsOf(definition, now);
    for (const target of definition.targets) {
      result.softDeleted += await this.repository.count(target.table, `${aliveClause(target)} (${target.expiredWhere})`, cutoffParams(target, cutoff));
      if (target.softDelete) result.hardDeleted += await this.repository.count(target.table, target.hardDeleteWhere, [hardCutoff]);
    }
  }

  private async cleanupCategory(
    db: RetentionConnection,
    definition: RetentionCategoryDefinition,
    now: Date,
    result: RetentionCategoryResult,
    onProgress: RetentionRunOptions['onProgress'],
  ): Promise<void> {
    const { cutoff, hardCutoff } = cutoffsOf(definition, now);
    for (const target of definition.targets) {
      const params = cutoffParams(target, cutoff);
      const alive = `${aliveClause(target)} (${target.expiredWhere})`;
      if (target.softDelete) {
        await this.inBatches(db, target.table, alive, params, async (pages) => {
          result.softDeleted += await this.softDeleteBatch(db, target, params, now, pages);
          onProgress?.(definition.category, result.softDeleted, result.hardDeleted);
        });
        await this.inBatches(db, target.table, target.hardDeleteWhere, [hardCutoff], async (pages) => {
          result.hardDeleted += await this.repository.deleteBatch(db, target.table, target.hardDeleteWhere, [hardCutoff], pages);
          onProgress?.(definition.category, result.softDeleted, result.hardDeleted);
        });
      } else {
        await this.inBatches(db, target.table, target.expiredWhere, params, async (pages) => {
          result.hardDeleted += await this.repository.deleteBatch(db, target.table, target.expiredWhere, params, pages);
          onProgress?.(definition.category, result.softDeleted, result.hardDeleted);
        });
      }
    }
  }

  /**
   * Runs `batch` over the table's pages as they are when the pass starts, a range at a time, resting
   * after each; not at all when no row matches `where` (one statement, instead of a batch per range
   * finding nothing). Bounded: a row a batch moves to a later page (an update writes a new
   * version) no longer matches, and rows added during the pass are new.
   */
  private async inBatches(
    db: RetentionConnection,
    table: string,
    where: string,
    params: Date[],
    batch: (pages: PageRange) => Promise<void>,
  ): Promise<void> {
    if (!(await this.repository.exists(db, table, where, params))) return;
    const pageCount = await this.repository.pageCount(db, table);
    for (let from = 0; from < pageCount; from += RETENTION_BATCH_PAGES) {
      const startedAt = performance.now();
      await batch({ from, to: from + RETENTION_BATCH_PAGES });
      await sleep(Math.max(1, (performance.now() - startedAt) * RETENTION_PAUSE_RATIO));
    }
  }

  private async softDeleteBatch(db: RetentionConnection, target: RetentionTarget, params: Date[], now: Date, pages: PageRange): Promise<number> {
    const { count, files } = await this.repository.softDeleteBatch(db, target, params, now, pages);
    // Export files hold a whole person's data: they go as soon as the row is soft-deleted.
    await Promise.all(files.map((file) => removeExportFile(this.config.dataDir, file)));
    return count;
  }
}

function cutoffsOf(definition: RetentionCategoryDefinition, now: Date): { cutoff: Date; hardCutoff: Date } {
  return {
    cutoff: new Date(now.getTime() - RETENTION_DAYS[definition.category] * DAY_MS),
    hardCutoff: new Date(now.getTime() - SOFT_DELETE_GRACE_DAYS * DAY_MS),
  };
}

function aliveClause(target: RetentionTarget): string {
  return target.softDelete ? 't.deleted_at is null and' : '';
}

/** One cutoff per `?` in the condition. */
function cutoffParams(target: RetentionTarget, cutoff: Date): Date[] {
  return Array.from({ length: target.expiredWhere.split('?').length - 1 }, () => cutoff);
}
