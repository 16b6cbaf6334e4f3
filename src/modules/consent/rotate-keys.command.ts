// `npm run cli -- rotate-keys [--batch-size 100]`: re-encrypts every oauth_tokens row under the
// first key of ENCRYPTION_KEYS, then rewraps every person's data key (crypto-shredding) under it
// (the content sealed under the data keys is never re-encrypted), printing counts per batch and in total.
import { Writable } from 'node:stream';
import { AppConfig } from '../../core/config/app-config';
import { DataKeys } from '../../core/crypto/data-keys';
import { TokenCipher } from '../../core/crypto/token-cipher';
import { OrmEntities } from '../../core/database/orm-options';
import { withStandaloneOrm } from '../../core/database/standalone-orm';
import { KeyRotationReport, rotateTokenKeys } from './token-key-rotation';

export async function runRotateKeysCommand(
  config: AppConfig,
  entities: OrmEntities,
  out: Writable,
  { batchSize }: { batchSize: number },
): Promise<KeyRotationReport> {
  const cipher = new TokenCipher(config);
  return withStandaloneOrm(config, entities, async (orm) => {
    out.write(`re-encrypting oauth_tokens under key "${cipher.currentKeyId}" (batches of ${batchSize})\n`);
    const report = await rotateTokenKeys(orm.em, cipher, {
      batchSize,
      onBatch: (batch) =>
        out.write(`batch ${batch.batch}: ${batch.scanned} rows, ${batch.reEncrypted} re-encrypted, ${batch.failed} failed\n`),
    });
    out.write(`done: ${report.scanned} rows needed rotation, ${report.reEncrypted} re-encrypted, ${report.failed} failed\n`);
    const dataKeys = new DataKeys(orm.em, cipher);
    out.write(`rewrapping data_keys under key "${cipher.currentKeyId}" (batches of ${batchSize})\n`);
    let afterId = '';
    let rewrapped = 0;
    for (let batch = 1; ; batch++) {
      const result = await orm.em.fork().transactional((em) => dataKeys.rewrapBatch(em, afterId, batchSize));
      if (result.scanned === 0) break;
      afterId = result.lastId;
      rewrapped += result.rewrapped;
      report.scanned += result.scanned;
      report.failed += result.failed;
      out.write(`data_keys batch ${batch}: ${result.scanned} keys, ${result.rewrapped} rewrapped, ${result.failed} failed\n`);
    }
    out.write(`done: ${rewrapped} data keys rewrapped\n`);
    if (report.failed > 0) {
      out.write('rows that failed could not be decrypted with any key in ENCRYPTION_KEYS; they were left unchanged\n');
    }
    return report;
  });
}
