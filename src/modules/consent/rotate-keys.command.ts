// `npm run cli -- rotate-keys [--batch-size 100]`: re-encrypts every oauth_tokens row under the
// first key of ENCRYPTION_KEYS, printing counts per batch and in total.
import { MikroORM } from '@mikro-orm/postgresql';
import { Writable } from 'node:stream';
import { AppConfig } from '../../core/config/app-config';
import { TokenCipher } from '../../core/crypto/token-cipher';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from '../../core/database/embedded-postgres';
import { buildOrmOptions, OrmEntities } from '../../core/database/orm-options';
import { KeyRotationReport, rotateTokenKeys } from './token-key-rotation';

export async function runRotateKeysCommand(
  config: AppConfig,
  entities: OrmEntities,
  out: Writable,
  { batchSize }: { batchSize: number },
): Promise<KeyRotationReport> {
  const cipher = new TokenCipher(config);
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir);
  const orm = await MikroORM.init(
    buildOrmOptions(
      embedded
        ? { clientUrl: embedded.url, entities, poolMax: EMBEDDED_POOL_MAX }
        : { clientUrl: config.databaseUrl as string, entities },
    ),
  );
  try {
    out.write(`re-encrypting oauth_tokens under key "${cipher.currentKeyId}" (batches of ${batchSize})\n`);
    const report = await rotateTokenKeys(orm.em, cipher, {
      batchSize,
      onBatch: (batch) =>
        out.write(`batch ${batch.batch}: ${batch.scanned} rows, ${batch.reEncrypted} re-encrypted, ${batch.failed} failed\n`),
    });
    out.write(`done: ${report.scanned} rows needed rotation, ${report.reEncrypted} re-encrypted, ${report.failed} failed\n`);
    if (report.failed > 0) {
      out.write('rows that failed could not be decrypted with any key in ENCRYPTION_KEYS; they were left unchanged\n');
    }
    return report;
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}
