import { MikroORM } from '@mikro-orm/postgresql';
import { AppConfig } from '../config/app-config';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from './embedded-postgres';
import { buildOrmOptions, OrmEntities } from './orm-options';

/**
 * Runs `work` with an ORM of its own on the configured database (PGlite under DATA_DIR in
 * embedded mode), outside the app: for the CLI's commands. Closes both afterwards.
 */
export async function withStandaloneOrm<T>(config: AppConfig, entities: OrmEntities, work: (orm: MikroORM) => Promise<T>): Promise<T> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir);
  const orm = await MikroORM.init(
    buildOrmOptions(
      embedded
        ? { clientUrl: embedded.url, entities, poolMax: EMBEDDED_POOL_MAX }
        : { clientUrl: config.databaseUrl as string, entities },
    ),
  );
  try {
    return await work(orm);
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}

/** Applies pending migrations to the configured database (the deploy step of server mode). */
export function runMigrations(config: AppConfig, entities: OrmEntities): Promise<string[]> {
  return withStandaloneOrm(config, entities, async (orm) => (await orm.getMigrator().up()).map((migration) => migration.name));
}
