// Builds one person's export file: streams every section (one per table of the personal-data map)
// from the database in keyset-paginated batches straight into the file, so memory stays flat
// however large the data.
import { Injectable } from '@nestjs/common';
import { rename, rm, stat } from 'node:fs/promises';
import { openContent, PersonKey } from '../../core/crypto/content-cipher';
import { DataKeys } from '../../core/crypto/data-keys';
import { Pseudonyms } from '../../core/crypto/pseudonyms';
import { PersonalDataMap } from '../../core/personal-data';
import { ExportFrameSealer } from './export-file-cipher';
import { ExportFileWriter } from './export-file-writer';
import { EXPORT_BATCH_SIZE, ExportSection, exportSectionsOf } from './export-sections';
import { ExportRepository } from './export.repository';

@Injectable()
export class ExportBuilder {
  constructor(
    private readonly repository: ExportRepository,
    private readonly personalData: PersonalDataMap,
    private readonly pseudonyms: Pseudonyms,
    private readonly dataKeys: DataKeys,
  ) {}

  /** The document's sections, from the personal-data map. */
  sections(): ExportSection[] {
    return exportSectionsOf(this.personalData.tables());
  }

  /**
   * Writes the document to `path` (via a temporary file, so a half-written export is never served),
   * sealed under the person's data key (created if they have none yet). Returns the file's size.
   */
  async build(userId: string, path: string, exportedAt: Date): Promise<number> {
    const temporary = `${path}.partial`;
    await rm(temporary, { force: true }); // left by a crashed earlier attempt
    const key = await this.dataKeys.forWrite(this.repository.entityManager(), userId);
    const writer = new ExportFileWriter(temporary, new ExportFrameSealer(key));
    try {
      await writer.begin();
      await writer.value('exportedAt', exportedAt.toISOString());
      for (const section of this.sections()) {
        const person = section.personHolds === 'pseudonym' ? this.pseudonyms.of(userId) : userId;
        if (section.single) await this.writeObject(writer, section, person);
        else await this.writeSection(writer, section, person, key);
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

  private async writeSection(writer: ExportFileWriter, section: ExportSection, person: string, key: PersonKey): Promise<void> {
    await writer.beginArray(section.name);
    const open = section.encrypted.length + section.encryptedJson.length > 0;
    // The next batch is asked for before this one is opened and written: PostgreSQL reads it
    // while this process decrypts (two batches in memory at most).
    let rows = await this.repository.sectionBatch(section, person, null);
    for (;;) {
      const next = rows.length < EXPORT_BATCH_SIZE ? null : this.repository.sectionBatch(section, person, String(rows[rows.length - 1].cursor));
      try {
        await writer.rows(rows.map(({ cursor, ...row }) => (open ? openRow(section, key, String(cursor), row) : row)));
      } catch (error) {
        await next?.catch(() => undefined);
        throw error;
      }
      if (!next) break;
      rows = await next;
    }
    await writer.endArray();
  }
}

/** A row with its sealed columns opened (the cursor of a section with sealed columns is its `id`). */
function openRow(section: ExportSection, key: PersonKey, rowId: string, row: Record<string, unknown>): Record<string, unknown> {
  for (const column of section.encrypted) {
    const stored = row[column];
    if (typeof stored === 'string') row[column] = openContent(key, section.table, column, rowId, stored);
  }
  for (const column of section.encryptedJson) {
    const stored = row[column];
    if (typeof stored === 'string') row[column] = JSON.parse(openContent(key, section.table, column, rowId, stored)) as unknown;
  }
  return row;
}
