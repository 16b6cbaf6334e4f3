import { rm } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

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
