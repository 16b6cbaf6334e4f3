// Daily retention cleanup: per category, soft-delete expired rows, then hard-delete rows whose
// soft delete is older than the grace period. Works in bounded batches (each its own short
// statement, so no long-held locks on big tables), audits each category with its counts, and a
// broken category is logged and skipped while the others go on.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
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
import { RetentionRepository } from './retention.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
export const RETENTION_BATCH_SIZE = 1000;
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
    for (const definition of this.categories()) {
      const result: RetentionCategoryResult = { category: definition.category, softDeleted: 0, hardDeleted: 0 };
      try {
        await this.cleanupCategory(definition, now, dryRun, result, options.onProgress);
        if (!dryRun) {
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

  private async cleanupCategory(
    definition: RetentionCategoryDefinition,
    now: Date,
    dryRun: boolean,
    result: RetentionCategoryResult,
    onProgress: RetentionRunOptions['onProgress'],
  ): Promise<void> {
    const cutoff = new Date(now.getTime() - RETENTION_DAYS[definition.category] * DAY_MS);
    const hardCutoff = new Date(now.getTime() - SOFT_DELETE_GRACE_DAYS * DAY_MS);
    for (const target of definition.targets) {
      const params = cutoffParams(target, cutoff);
      if (dryRun) {
        result.softDeleted += await this.repository.count(target.table, `${aliveClause(target)} (${target.expiredWhere})`, params);
        if (target.softDelete) result.hardDeleted += await this.repository.count(target.table, target.hardDeleteWhere, [hardCutoff]);
        continue;
      }
      if (target.softDelete) {
        await this.inBatches(async () => {
          const removed = await this.softDeleteBatch(target, params, now);
          result.softDeleted += removed;
          onProgress?.(definition.category, result.softDeleted, result.hardDeleted);
          return removed;
        });
        await this.inBatches(async () => {
          const removed = await this.repository.deleteBatch(target.table, target.hardDeleteWhere, [hardCutoff], RETENTION_BATCH_SIZE);
          result.hardDeleted += removed;
          onProgress?.(definition.category, result.softDeleted, result.hardDeleted);
          return removed;
        });
      } else {
        await this.inBatches(async () => {
          const removed = await this.repository.deleteBatch(target.table, target.expiredWhere, params, RETENTION_BATCH_SIZE);
          result.hardDeleted += removed;
          onProgress?.(definition.category, result.softDeleted, result.hardDeleted);
          return removed;
        });
      }
    }
  }

  /** Repeats `batch` until it removes less than a full batch, yielding between batches. */
  private async inBatches(batch: () => Promise<number>): Promise<void> {
    while ((await batch()) === RETENTION_BATCH_SIZE) await yieldToEventLoop();
  }

  private async softDeleteBatch(target: RetentionTarget, params: Date[], now: Date): Promise<number> {
    const rows = await this.repository.softDeleteBatch(target, params, now, RETENTION_BATCH_SIZE);
    // Export files hold a whole person's data: they go as soon as the row is soft-deleted.
    await Promise.all(rows.map((row) => (row.filePath ? removeExportFile(this.config.dataDir, row.filePath) : undefined)));
    return rows.length;
  }
}

function aliveClause(target: RetentionTarget): string {
  return target.softDelete ? 't.deleted_at is null and' : '';
}

/** One cutoff per `?` in the condition. */
function cutoffParams(target: RetentionTarget, cutoff: Date): Date[] {
  return Array.from({ length: target.expiredWhere.split('?').length - 1 }, () => cutoff);
}
