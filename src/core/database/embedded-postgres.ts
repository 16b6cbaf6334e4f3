// Embedded mode: a real PostgreSQL (PGlite, Postgres compiled to WASM) with its data under
// DATA_DIR, served over the wire protocol by pglite-socket so the app keeps the exact production
// driver path (MikroORM -> knex -> pg).
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const releaseOwnership = claimDataDir(dir);
  const db = await PGlite.create(dir).catch((error: unknown) => {
    releaseOwnership();
    throw error;
  });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_POOL_MAX * 2 });
  await server.start();
  const port = server.getServerConn().split(':').pop();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
      releaseOwnership();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same files (say the CLI while
 * the app runs) would corrupt them. A pid file makes the second one stop with a clear message.
 */
function claimDataDir(dir: string): () => void {
  const pidFile = join(dir, 'owner.pid');
  try {
    writeFileSync(pidFile, String(process.pid), { flag: 'wx' });
  } catch {
    const owner = Number(readFileSync(pidFile, 'utf8'));
    if (owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${owner}. Stop that process first, ` +
          'use the admin API of the running app, or set DATABASE_URL to use PostgreSQL.',
      );
    }
    writeFileSync(pidFile, String(process.pid)); // left behind by a process that is gone
  }
  return () => rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
