import { readdir, rm } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

/** Where export files live, relative to DATA_DIR. */
export const EXPORTS_DIR = 'exports';
const EXPORT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;

/**
 * Removes an export file given its path relative to DATA_DIR (as `data_exports.file_path` stores
 * it). Only ever deletes inside DATA_DIR, whatever the row says.
 */
export async function removeExportFile(dataDir: string, relativePath: string): Promise<void> {
  const root = normalize(dataDir) + sep;
  const path = normalize(join(dataDir, relativePath));
  if (isAbsolute(relativePath) || !path.startsWith(root)) return;
  await rm(path, { force: true });
}

/** Which of these export ids have a row that still accounts for its file (the caller's query). */
export type LiveExportIds = (ids: readonly string[]) => Promise<ReadonlySet<string>>;

/**
 * Removes export files that no live row accounts for: a delete that failed after the erasure
 * committed, or a build that crashed, would otherwise leave a full copy of someone's data on disk
 * that nothing points to. Returns how many files were (or, on a dry run, would be) removed.
 */
export async function sweepOrphanedExportFiles(dataDir: string, liveExportIds: LiveExportIds, { dryRun = false } = {}): Promise<number> {
  const names = await readdir(join(dataDir, EXPORTS_DIR)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const ids = names.map((name) => EXPORT_FILE.exec(name)?.[1]).filter((id): id is string => id !== undefined);
  const live = new Set<string>();
  for (let start = 0; start < ids.length; start += 1000) {
    for (const id of await liveExportIds(ids.slice(start, start + 1000))) live.add(id);
  }
  // Anything else in the folder (a temporary file, a file of another shape) is no export and is left alone.
  const orphans = ids.filter((id) => !live.has(id));
  if (!dryRun) await Promise.all(orphans.map((id) => removeExportFile(dataDir, join(EXPORTS_DIR, `${id}.json`))));
  return orphans.length;
}
