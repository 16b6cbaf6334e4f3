// Builds one person's export file: streams every section (one per table of the personal-data map)
// from the database in keyset-paginated batches straight into the file, so memory stays flat
// however large the data.
import { Injectable } from '@nestjs/common';
import { rename, rm, stat } from 'node:fs/promises';
import { PersonKey } from '../../core/crypto/content-cipher';
import { ContentOpenerPool } from '../../core/crypto/content-opener-pool';
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
    private readonly opener: ContentOpenerPool,
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
    const fetch = (after: string | null): Promise<Array<Record<string, unknown>>> => this.repository.sectionBatch(section, person, after);
    // Three batches in flight at most: PostgreSQL reads the next one while the opener threads
    // decrypt this one and this thread serialises and writes the one before (memory stays flat).
    let rows = await fetch(null);
    let opened = this.openRows(section, key, rows);
    for (;;) {
      const next = rows.length < EXPORT_BATCH_SIZE ? null : fetch(String(rows[rows.length - 1].cursor));
      let ready: Array<Record<string, unknown>>;
      try {
        ready = await opened;
        if (next) {
          rows = await next;
          opened = this.openRows(section, key, rows);
          // Marked handled now: when writing this batch fails, nobody awaits the next one.
          opened.catch(() => undefined);
        }
      } catch (error) {
        await next?.catch(() => undefined);
        throw error;
      }
      await writer.rows(ready);
      if (!next) break;
    }
    await writer.endArray();
  }

  /** A batch's rows without their cursor, sealed columns opened (the cursor of a section with sealed columns is its `id`). */
  private async openRows(section: ExportSection, key: PersonKey, rows: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    const sealedColumns = [...section.encrypted, ...section.encryptedJson];
    const plain = rows.map(({ cursor: _cursor, ...row }) => row);
    if (sealedColumns.length === 0 || rows.length === 0) return plain;
    const columns = sealedColumns.map((column) => ({ column, stored: rows.map((row) => (typeof row[column] === 'string' ? (row[column] as string) : null)) }));
    const opened = await this.opener.openColumns(
      key,
      section.table,
      rows.map((row) => String(row.cursor)),
      columns,
    );
    sealedColumns.forEach((column, c) => {
      const json = c >= section.encrypted.length;
      plain.forEach((row, i) => {
        const value = opened[c][i];
        // Not a string in the database (null, or a JSON document never sealed): written as it is.
        if (value !== null) row[column] = json ? (JSON.parse(value) as unknown) : value;
      });
    });
    return plain;
  }
}
