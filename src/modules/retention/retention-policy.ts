// The retention policy, derived from the personal-data map: each declared table's retention rules,
// grouped by category in the order of the retention table (RETENTION_DAYS, the only place periods
// live). Everything that deletes by age (the daily cleanup, the CLI, the admin route) and the
// /privacy page read it through `retentionCategoriesOf(map)`.
import { excludingLegalHolds } from './retention-conditions';
import {
  PersonalDataTable,
  RETENTION_CATEGORY_NAMES,
  RETENTION_DESCRIPTIONS,
  RetentionCategory,
} from '../../core/personal-data';

export { PROTECTED_TABLES, RETENTION_DAYS, RETENTION_DESCRIPTIONS, SOFT_DELETE_GRACE_DAYS } from '../../core/personal-data';
export type { RetentionCategory } from '../../core/personal-data';

export interface RetentionTarget {
  table: string;
  /**
   * SQL condition selecting expired rows of `table` (aliased `t`); `?` is the cutoff time
   * (now minus the category's days). Conditions are constants, never built from input.
   */
  expiredWhere: string;
  /** Rows with a `deleted_at` go through soft-delete first; the others are deleted at once. */
  softDelete: boolean;
  /** A column naming the row's file under DATA_DIR, removed as soon as the row is soft-deleted. */
  fileColumn?: string;
  /** Which soft-deleted rows are hard-deleted (`?`: the end of the grace period). */
  hardDeleteWhere: string;
}

export interface RetentionCategoryDefinition {
  category: RetentionCategory;
  description: string;
  targets: RetentionTarget[];
}

/** A table naming the person by id skips the people under a legal hold; a pseudonymised one names no one to hold. */
function keptUnderHold(condition: string, table: PersonalDataTable): string {
  return table.person.holds === 'pseudonym' ? condition : excludingLegalHolds(condition, table.person.column);
}

/** The categories that expire something, each with the declared tables it expires. */
export function retentionCategoriesOf(tables: readonly PersonalDataTable[]): RetentionCategoryDefinition[] {
  return RETENTION_CATEGORY_NAMES.map((category) => ({
    category,
    description: RETENTION_DESCRIPTIONS[category],
    targets: tables.flatMap((table) =>
      'rules' in table.retention
        ? table.retention.rules
            .filter((rule) => rule.category === category)
            .map((rule) => ({
              table: table.table,
              expiredWhere: keptUnderHold(rule.expiredWhere, table),
              softDelete: table.softDeletable,
              fileColumn: table.fileColumn,
              hardDeleteWhere: keptUnderHold('t.deleted_at < ?', table),
            }))
        : [],
    ),
  })).filter((definition) => definition.targets.length > 0);
}
