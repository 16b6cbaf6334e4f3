import { RetentionRunResult } from './retention.service';

/** The CLI's report of a retention run (`npm run cli -- retention`): a text table, one row per category. */
export function formatRetentionReport(result: RetentionRunResult): string {
  const header = ['category', result.dryRun ? 'would soft-delete' : 'soft-deleted', result.dryRun ? 'would hard-delete' : 'hard-deleted', 'status'];
  const rows = result.categories.map((c) => [c.category, String(c.softDeleted), String(c.hardDeleted), c.error ? 'FAILED' : 'ok']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  const orphans =
    result.orphanedExportFiles === null
      ? 'orphaned export files: sweep FAILED'
      : `orphaned export files ${result.dryRun ? 'found' : 'removed'}: ${result.orphanedExportFiles}`;
  return [result.dryRun ? 'Retention cleanup (dry run: nothing deleted)' : 'Retention cleanup', line(header), ...rows.map(line), orphans, ''].join('\n');
}
