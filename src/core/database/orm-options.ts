// MikroORM options shared by the app, the CLI, the migration generator and the tests.
import { AnyEntity, EntityClass } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';

const ormLogger = new Logger('MikroORM');

export const MIGRATIONS_PATH = join(__dirname, '..', '..', '..', 'migrations');

/** The entity classes to register; the app's list is ENTITIES in src/entities.ts. */
export type OrmEntities = readonly EntityClass<AnyEntity>[];

export interface OrmConnectionOptions {
  clientUrl: string;
  entities: OrmEntities;
  /** Pool size; embedded mode keeps it within the PGlite socket server's connection limit. */
  poolMax?: number;
  debug?: boolean;
}

export function buildOrmOptions({ clientUrl, entities, poolMax = 10, debug = false }: OrmConnectionOptions) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl,
    entities: [...entities],
    extensions: [Migrator],
    pool: { min: 0, max: poolMax },
    debug,
    // Route the ORM's own output (migrator progress, debug queries) through the app logger.
    logger: (message: string) => ormLogger.log(message),
    // Entities are registered explicitly and typed in their decorators, so no TS reflection is needed.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    ignoreUndefinedInQuery: true,
    migrations: {
      path: MIGRATIONS_PATH,
      // The compiled build runs the .js migrations next to it; ts-node and jest run the .ts ones.
      pathTs: MIGRATIONS_PATH,
      glob: '!(*.d).{js,ts}',
      snapshot: true,
      snapshotName: '.snapshot-repazoo',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
    },
  });
}
