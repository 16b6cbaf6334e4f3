// Builds one person's export file: streams every section from the database in keyset-paginated
// batches straight into the file, so memory stays flat however large the data.
import { Injectable } from '@nestjs/common';
import { rename, rm, stat } from 'node:fs/promises';
import { ExportFileWriter } from './export-file-writer';
import { EXPORT_BATCH_SIZE, EXPORT_SECTIONS, ExportSection } from './export-sections';
import { ExportRepository } from './export.repository';

@Injectable()
export class ExportBuilder {
  constructor(private readonly repository: ExportRepository) {}

  /** Writes the document to `path` (via a temporary file, so a half-written export is never served). */
  async build(userId: string, path: string, exportedAt: Date): Promise<number> {
    const temporary = `${path}.partial`;
    await rm(temporary, { force: true }); // left by a crashed earlier attempt
    const writer = new ExportFileWriter(temporary);
    try {
      await writer.begin();
      await writer.value('exportedAt', exportedAt.toISOString());
      const user = await this.repository.findUserRow(userId);
      await writer.value('user', user ?? { id: userId });
      for (const section of EXPORT_SECTIONS) await this.writeSection(writer, section, userId);
      await writer.end();
    } catch (error) {
      writer.destroy();
      await rm(temporary, { force: true });
      throw error;
    }
    await rename(temporary, path);
    return (await stat(path)).size;
  }

  private async writeSection(writer: ExportFileWriter, section: ExportSection, userId: string): Promise<void> {
    await writer.beginArray(section.name);
    let after: string | null = null;
    for (;;) {
      const rows = await this.repository.sectionBatch(section, userId, after);
      await writer.rows(rows.map(({ cursor: _cursor, ...row }) => row));
      if (rows.length < EXPORT_BATCH_SIZE) break;
      after = String(rows[rows.length - 1].cursor);
    }
    await writer.endArray();
  }
}
