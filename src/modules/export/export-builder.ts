// Builds one person's export file: streams every section (one per table of the personal-data map)
// from the database in keyset-paginated batches straight into the file, so memory stays flat
// however large the data.
import { Injectable } from '@nestjs/common';
import { rename, rm, stat } from 'node:fs/promises';
import { Pseudonyms } from '../../core/crypto/pseudonyms';
import { PersonalDataMap } from '../../core/personal-data';
import { ExportFileWriter } from './export-file-writer';
import { EXPORT_BATCH_SIZE, ExportSection, exportSectionsOf } from './export-sections';
import { ExportRepository } from './export.repository';

@Injectable()
export class ExportBuilder {
  constructor(
    private readonly repository: ExportRepository,
    private readonly personalData: PersonalDataMap,
    private readonly pseudonyms: Pseudonyms,
  ) {}

  /** The document's sections, from the personal-data map. */
  sections(): ExportSection[] {
    return exportSectionsOf(this.personalData.tables());
  }

  /** Writes the document to `path` (via a temporary file, so a half-written export is never served). */
  async build(userId: string, path: string, exportedAt: Date): Promise<number> {
    const temporary = `${path}.partial`;
    await rm(temporary, { force: true }); // left by a crashed earlier attempt
    const writer = new ExportFileWriter(temporary);
    try {
      await writer.begin();
      await writer.value('exportedAt', exportedAt.toISOString());
      for (const section of this.sections()) {
        const person = section.personHolds === 'pseudonym' ? this.pseudonyms.of(userId) : userId;
        if (section.single) await this.writeObject(writer, section, person);
        else await this.writeSection(writer, section, person);
      }
      await writer.end();
    } catch (error) {
      writer.destroy();
      await rm(temporary, { force: true });
      throw error;
    }
    await rename(temporary, path);
    return (await stat(path)).size;
  }

  /** A single section (the account): its row, or just the person's id when there is none. */
  private async writeObject(writer: ExportFileWriter, section: ExportSection, person: string): Promise<void> {
    const [row] = await this.repository.sectionBatch(section, person, null);
    const { cursor: _cursor, ...value } = row ?? { [section.personColumn]: person };
    await writer.value(section.name, value);
  }

  private async writeSection(writer: ExportFileWriter, section: ExportSection, person: string): Promise<void> {
    await writer.beginArray(section.name);
    let after: string | null = null;
    for (;;) {
      const rows = await this.repository.sectionBatch(section, person, after);
      await writer.rows(rows.map(({ cursor: _cursor, ...row }) => row));
      if (rows.length < EXPORT_BATCH_SIZE) break;
      after = String(rows[rows.length - 1].cursor);
    }
    await writer.endArray();
  }
}
