// The migration step of crypto-shredding (`npm run cli -- encrypt-content`): seals the content
// columns of rows written before encryption, table by table in id order, one transaction per
// batch. It finds only rows still plain, so it resumes wherever a previous run stopped.
import { EntityManager } from '@mikro-orm/postgresql';
import type { PersonalDataTable } from '../personal-data';
import { isSealed, PersonKey } from './content-cipher';
import { DataKeys } from './data-keys';

export interface ContentEncryptionBatch {
  table: string;
  batch: number;
  sealed: number;
  /** Rows of the table sealed so far in this run. */
  tableTotal: number;
}

export interface ContentEncryptionReport {
  tables: Array<{ table: string; sealed: number }>;
}

/** Tables whose declaration names sealed columns. */
function encryptedTables(tables: readonly PersonalDataTable[]): PersonalDataTable[] {
  return tables.filter((table) => (table.encrypted?.length ?? 0) + (table.encryptedJson?.length ?? 0) > 0);
}

export async function encryptPlainContent(
  rootEm: EntityManager,
  tables: readonly PersonalDataTable[],
  dataKeys: DataKeys,
  { batchSize = 500, onBatch }: { batchSize?: number; onBatch?: (batch: ContentEncryptionBatch) => void } = {},
): Promise<ContentEncryptionReport> {
  const report: ContentEncryptionReport = { tables: [] };
  for (const table of encryptedTables(tables)) {
    const text = table.encrypted ?? [];
    const json = table.encryptedJson ?? [];
    const person = table.person.column;
    // Table and column names come from the map (validated identifiers), never from input.
    const plain = [
      ...text.map((column) => `(${column} is not null and left(${column}, 3) <> 'c1:')`),
      ...json.map((column) => `(${column} is not null and (jsonb_typeof(${column}::jsonb) <> 'string' or left(${column}::jsonb #>> '{}', 3) <> 'c1:'))`),
    ].join(' or ');
    let after: string | null = null;
    let tableTotal = 0;
    for (let batch = 1; ; batch++) {
      const cursor: string | null = after;
      const { sealed, lastId } = await rootEm.fork().transactional(async (em): Promise<{ sealed: number; lastId: string | null }> => {
        const rows = await em.execute<Array<Record<string, unknown> & { id: string | number }>>(
          `select id, ${person} as person, ${[...text, ...json].join(', ')} from ${table.table}
            where ${person} is not null and (${plain}) ${cursor === null ? '' : 'and id > ?'}
            order by id limit ${Number(batchSize)} for update`,
          cursor === null ? [] : [cursor],
        );
        const keys = new Map<string, PersonKey>();
        for (const row of rows) {
          const userId = String(row.person);
          const key = keys.get(userId) ?? (await dataKeys.forWrite(em, userId));
          keys.set(userId, key);
          const rowId = String(row.id);
          const values: Record<string, string> = {};
          for (const column of text) {
            const value = row[column];
            if (typeof value === 'string' && !isSealed(value)) values[column] = key.seal(table.table, column, rowId, value);
          }
          for (const column of json) {
            const value = row[column];
            if (value === null || value === undefined || (typeof value === 'string' && isSealed(value))) continue;
            values[column] = JSON.stringify(key.seal(table.table, column, rowId, JSON.stringify(value)));
          }
          const columns = Object.keys(values);
          if (columns.length === 0) continue;
          await em.execute(`update ${table.table} set ${columns.map((column) => `${column} = ?`).join(', ')} where id = ?`, [
            ...columns.map((column) => values[column]),
            row.id,
          ]);
        }
        return { sealed: rows.length, lastId: rows.length > 0 ? String(rows[rows.length - 1].id) : null };
      });
      if (sealed === 0 || lastId === null) break;
      after = lastId;
      tableTotal += sealed;
      onBatch?.({ table: table.table, batch, sealed, tableTotal });
      if (sealed < batchSize) break;
    }
    report.tables.push({ table: table.table, sealed: tableTotal });
  }
  return report;
}
