// Where the audit log's head (the newest sealed batch's id and chained hash) is recorded outside
// the database: anyone who can write the database and knows the key could rebuild the batches
// consistently, but not the head recorded here (Redis in server mode, a file under DATA_DIR in
// embedded mode), nor the copies in the log and the metric. The sealer records it after every batch
// it seals, the retention run again with a log line; AuditService.verifyAuditChain compares the
// batches with it.
import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS_CLIENT } from '../redis/redis.module';

export interface RecordedAuditHead {
  /** The batch's id (before the log was sealed in batches, an entry's id: such heads are ignored). */
  id: string;
  /** The batch's chained hash. */
  hash: string;
  recordedAt: string;
}

/** Marks heads that name a batch; a head recorded by the entry-chained log before it has none. */
const FORMAT = 'batch';

const REDIS_KEY = 'repazoo:audit:head';
const FILE_NAME = 'audit-head.json';

@Injectable()
export class AuditHeadStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async save(head: RecordedAuditHead): Promise<void> {
    const text = JSON.stringify({ ...head, format: FORMAT });
    if (this.redis) {
      await this.redis.set(REDIS_KEY, text);
      return;
    }
    await mkdir(this.config.dataDir, { recursive: true });
    await writeFile(join(this.config.dataDir, FILE_NAME), text, { mode: 0o600 });
  }

  /** Forgets the recorded head (tests that empty the audit table start again from nothing). */
  async clear(): Promise<void> {
    if (this.redis) await this.redis.del(REDIS_KEY);
    else await rm(join(this.config.dataDir, FILE_NAME), { force: true });
  }

  async load(): Promise<RecordedAuditHead | null> {
    const text = this.redis
      ? await this.redis.get(REDIS_KEY)
      : await readFile(join(this.config.dataDir, FILE_NAME), 'utf8').catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null;
          throw error;
        });
    if (!text) return null;
    const value = JSON.parse(text) as Partial<RecordedAuditHead> & { format?: string };
    return value.format === FORMAT && typeof value.id === 'string' && typeof value.hash === 'string' && typeof value.recordedAt === 'string'
      ? { id: value.id, hash: value.hash, recordedAt: value.recordedAt }
      : null;
  }
}
