import { MikroORM } from '@mikro-orm/postgresql';
import { AppConfig } from '../config/app-config';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from './embedded-postgres';
import { buildOrmOptions, OrmEntities } from './orm-options';

/** Applies pending migrations to the configured database (the deploy step of server mode). */
export async function runMigrations(config: AppConfig, entities: OrmEntities): Promise<string[]> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir);
  const orm = await MikroORM.init(
    buildOrmOptions(
      embedded
        ? { clientUrl: embedded.url, entities, poolMax: EMBEDDED_POOL_MAX }
        : { clientUrl: config.databaseUrl as string, entities },
    ),
  );
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((migration) => migration.name);
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}
