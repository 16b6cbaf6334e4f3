// The registry of the personal-data map: every module's declarations, collected through Nest's
// discovery from the `PersonalDataModule.declare(...)` each module imports. There is no central
// list: a module that owns a table naming a person declares it next to its entities, and erasure,
// export, retention, the /privacy page and the record of processing find it here.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import {
  PersonalDataDeclarations,
  PersonalDataTable,
  PersonalRedisKey,
  REDIS_KEY_SELF_EXPIRY_LIMIT_SECONDS,
} from './personal-data.types';
import { RETENTION_DAYS } from './retention-periods';

/** One module's declarations, as the provider that `PersonalDataModule.declare` registers. */
export class DeclaredPersonalData {
  constructor(
    readonly owner: string,
    readonly declarations: PersonalDataDeclarations,
  ) {}
}

/** Tables that hold what the law or the product requires to keep: retention must never delete from them. */
export const PROTECTED_TABLES = ['billing_records', 'users'] as const;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export class InvalidPersonalDataMapError extends Error {}

export interface PersonalDataCatalogue {
  tables: readonly PersonalDataTable[];
  redisKeys: readonly PersonalRedisKey[];
}

/** Merges and checks declarations; throws `InvalidPersonalDataMapError` naming the first problem. */
export function buildPersonalDataCatalogue(declared: readonly DeclaredPersonalData[]): PersonalDataCatalogue {
  const tables: PersonalDataTable[] = [];
  const redisKeys: PersonalRedisKey[] = [];
  const owners = new Map<string, string>();
  const exportKeys = new Map<string, string>();
  for (const { owner, declarations } of declared) {
    for (const table of declarations.tables ?? []) {
      const fail = (problem: string) => {
        throw new InvalidPersonalDataMapError(`personal-data map: ${table.table} (declared by ${owner}) ${problem}`);
      };
      if (owners.has(table.table)) fail(`is already declared by ${owners.get(table.table)}`);
      owners.set(table.table, owner);
      const identifiers = [table.table, table.person.column, ...table.export.columns, table.export.orderBy ?? 'id'];
      if (table.fileColumn !== undefined) identifiers.push(table.fileColumn);
      identifiers.push(...(table.encrypted ?? []), ...(table.encryptedJson ?? []));
      // Sealed values are bound to the row's id and the person: a table keyed otherwise, or whose
      // person column holds a pseudonym, cannot say whose key opens them.
      if ((table.encrypted?.length ?? 0) + (table.encryptedJson?.length ?? 0) > 0 && table.person.holds === 'pseudonym') {
        fail('encrypts columns but names the person by a pseudonym');
      }
      if ((table.encrypted?.length ?? 0) + (table.encryptedJson?.length ?? 0) > 0 && (table.export.orderBy ?? 'id') !== 'id') {
        fail('encrypts columns but is exported in another order than by id (the export opens sealed values by their row id)');
      }
      if (table.erasure.action === 'pseudonymise') {
        identifiers.push(...Object.keys(table.erasure.columns));
        // The erasure finds the rows by the person column: left naming the person, they would be found forever.
        if (table.erasure.columns[table.person.column] !== 'keyed-hash') fail('is pseudonymised without replacing its person column by a keyed hash');
      }
      const bad = identifiers.find((name) => !IDENTIFIER.test(name));
      if (bad !== undefined) fail(`names "${bad}", which is not a plain lower-case SQL identifier`);
      if (exportKeys.has(table.export.key)) fail(`uses export key "${table.export.key}", already used by ${exportKeys.get(table.export.key)}`);
      exportKeys.set(table.export.key, table.table);
      if (table.erasure.action !== 'delete' && table.erasure.reason.trim() === '') fail('is kept after erasure without a reason');
      if ('kept' in table.retention) {
        if (table.retention.kept.trim() === '') fail('is kept by retention without a reason');
      } else {
        if (table.retention.rules.length === 0) fail('has no retention rule (say `kept` and why)');
        if ((PROTECTED_TABLES as readonly string[]).includes(table.table)) fail('must never be deleted by retention');
        for (const rule of table.retention.rules) {
          if (!(rule.category in RETENTION_DAYS)) fail(`names the unknown retention category ${rule.category}`);
          if (!rule.expiredWhere.includes('?')) fail(`has a ${rule.category} rule without a cutoff (?)`);
        }
      }
      tables.push(table);
    }
    for (const key of declarations.redisKeys ?? []) {
      const longLived = key.maxTtlSeconds === null || key.maxTtlSeconds > REDIS_KEY_SELF_EXPIRY_LIMIT_SECONDS;
      if (longLived && key.keysOf === undefined) {
        throw new InvalidPersonalDataMapError(
          `personal-data map: Redis key ${key.pattern} (declared by ${owner}) lives longer than an hour but says no keysOf() to erase it`,
        );
      }
      redisKeys.push(key);
    }
  }
  tables.sort((a, b) => a.table.localeCompare(b.table));
  return { tables, redisKeys };
}

@Injectable()
export class PersonalDataMap implements OnModuleInit {
  private catalogue?: PersonalDataCatalogue;

  constructor(private readonly discovery: DiscoveryService) {}

  /** Builds (and so checks) the map at start-up: a bad declaration stops the app, not an erasure. */
  onModuleInit(): void {
    this.load();
  }

  /** Every declared table, sorted by name. */
  tables(): readonly PersonalDataTable[] {
    return this.load().tables;
  }

  table(name: string): PersonalDataTable | undefined {
    return this.tables().find((table) => table.table === name);
  }

  redisKeys(): readonly PersonalRedisKey[] {
    return this.load().redisKeys;
  }

  private load(): PersonalDataCatalogue {
    this.catalogue ??= buildPersonalDataCatalogue(
      this.discovery
        .getProviders()
        .map((wrapper) => wrapper.instance as unknown)
        .filter((instance): instance is DeclaredPersonalData => instance instanceof DeclaredPersonalData),
    );
    return this.catalogue;
  }
}

/**
 * Tables that name a person but are erased by the erasure itself rather than through the map:
 * `data_keys`, destroyed first (crypto-shredding), and never exported (they are secrets).
 */
export const SELF_ERASED_TABLES: readonly string[] = ['data_keys'];

/**
 * Tables of the ORM's entities that have a `user_id` column but no declaration in `map`: in a
 * process wired without some module (a partial app), an erasure or export would silently miss them.
 */
export function undeclaredPersonTables(entities: ReadonlyArray<{ tableName: string; props: ReadonlyArray<{ fieldNames?: string[] }> }>, map: PersonalDataMap): string[] {
  const declared = new Set([...map.tables().map((table) => table.table), ...SELF_ERASED_TABLES]);
  return entities
    .filter((entity) => entity.props.some((prop) => prop.fieldNames?.includes('user_id')) && !declared.has(entity.tableName))
    .map((entity) => entity.tableName)
    .sort();
}
