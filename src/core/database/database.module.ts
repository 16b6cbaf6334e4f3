import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EMBEDDED_POOL_MAX, EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { buildOrmOptions, OrmEntities } from './orm-options';

export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

/**
 * Applies pending migrations at boot in embedded mode only; in server mode migrations are a
 * deploy step (`npm run migrate`) and are never run implicitly.
 */
@Injectable()
class EmbeddedDatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.mode !== 'embedded') return;
    const applied = await this.orm.getMigrator().up();
    if (applied.length > 0) this.logger.log(`applied ${applied.length} migration(s) to the embedded database`);
  }

  async onApplicationShutdown(): Promise<void> {
    // The ORM closes its pool in its own shutdown hook; PGlite must go after it.
    await this.orm.close();
    await this.embedded?.stop();
  }
}

/** Starts PGlite once when no DATABASE_URL is configured; `null` in server mode. */
@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.databaseUrl ? null : startEmbeddedPostgres(config.dataDir)),
    },
  ],
  exports: [EMBEDDED_POSTGRES],
})
class EmbeddedPostgresModule {}

export interface DatabaseModuleOptions {
  /** The entities to register: the app passes every module's (src/entities.ts), a test harness may pass its own. */
  entities: OrmEntities;
}

/**
 * The database, configured once by the app's root module. Not global and exports nothing: the
 * `MikroORM` instance and `EntityManager` that modules inject come from MikroOrmModule's own core
 * module, which @mikro-orm/nestjs makes global (one ORM per process, like the config).
 */
@Module({})
export class DatabaseModule {
  static forRoot({ entities }: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        EmbeddedPostgresModule,
        MikroOrmModule.forRootAsync({
          driver: PostgreSqlDriver,
          imports: [EmbeddedPostgresModule],
          inject: [APP_CONFIG, EMBEDDED_POSTGRES],
          useFactory: (config: AppConfig, embedded: EmbeddedPostgres | null) =>
            buildOrmOptions(
              embedded
                ? { clientUrl: embedded.url, entities, poolMax: EMBEDDED_POOL_MAX }
                : { clientUrl: config.databaseUrl as string, entities },
            ),
        }),
      ],
      providers: [EmbeddedDatabaseLifecycle],
    };
  }
}
