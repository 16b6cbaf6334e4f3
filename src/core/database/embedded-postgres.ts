// Embedded mode: a real PostgreSQL (PGlite, Postgres compiled to WASM) with its data under
// DATA_DIR, served over the wire protocol by pglite-socket so the app keeps the exact production
// driver path (MikroORM -> knex -> pg).
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** PGlite runs one query at a time; the socket server must accept at least the pool's connections. */
export const EMBEDDED_POOL_MAX = 4;

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_POOL_MAX * 2 });
  await server.start();
  const port = server.getServerConn().split(':').pop();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
