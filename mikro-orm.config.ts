// Used by the MikroORM CLI (`npx mikro-orm migration:create`) to generate migrations. It points at
// DATABASE_URL, or at the local PostgreSQL used by the tests when that is unset.
import { buildOrmOptions } from './src/core/database/orm-options';
import { ENTITIES } from './src/entities';

export default buildOrmOptions({
  clientUrl: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/repazoo_migrations',
  entities: ENTITIES,
});
