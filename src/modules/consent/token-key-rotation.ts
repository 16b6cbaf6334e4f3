// Re-encrypts every stored OAuth token under the current (first) encryption key, in batches, so
// an old key can be dropped from ENCRYPTION_KEYS afterwards.
import { EntityManager } from '@mikro-orm/postgresql';
import { TokenCipher, TokenDecryptionError } from '../../core/crypto/token-cipher';
import { ConsentRepository } from './consent.repository';
import { OAuthToken } from './entities/oauth-token.entity';
import { tokenContext } from './token-vault.service';

export interface KeyRotationBatch {
  batch: number;
  scanned: number;
  reEncrypted: number;
  failed: number;
}

export interface KeyRotationReport {
  keyId: string;
  scanned: number;
  reEncrypted: number;
  /** Rows whose ciphertext could not be opened (unknown key or altered); left as they were. */
  failed: number;
}

export interface KeyRotationOptions {
  batchSize?: number;
  onBatch?: (batch: KeyRotationBatch) => void;
}

const SMALLEST_UUID = '00000000-0000-0000-0000-000000000000';

export async function rotateTokenKeys(
  rootEm: EntityManager,
  cipher: TokenCipher,
  { batchSize = 100, onBatch }: KeyRotationOptions = {},
): Promise<KeyRotationReport> {
  const report: KeyRotationReport = { keyId: cipher.currentKeyId, scanned: 0, reEncrypted: 0, failed: 0 };
  // The CLI runs this without the Nest container, on its own ORM.
  const tokens = new ConsentRepository(rootEm);
  let afterId = SMALLEST_UUID;
  for (let batch = 1; ; batch++) {
    // Each batch is one transaction holding its rows locked, so a concurrent token refresh (which
    // locks the same row) either finishes first or sees the re-encrypted values.
    const counts = await rootEm.fork().transactional(async (em) => {
      const rows = await tokens.lockTokensToRotate(em, cipher.currentKeyId, afterId, batchSize);
      let reEncrypted = 0;
      for (const row of rows) {
        try {
          reEncrypt(cipher, row);
          reEncrypted += 1;
        } catch (error) {
          if (!(error instanceof TokenDecryptionError)) throw error;
        }
      }
      return { rows, reEncrypted };
    });
    const { rows, reEncrypted } = counts;
    const summary = { batch, scanned: rows.length, reEncrypted, failed: rows.length - reEncrypted };
    report.scanned += summary.scanned;
    report.reEncrypted += summary.reEncrypted;
    report.failed += summary.failed;
    if (rows.length > 0) onBatch?.(summary);
    if (rows.length < batchSize) return report;
    afterId = rows[rows.length - 1].id;
  }
}

function reEncrypt(cipher: TokenCipher, row: OAuthToken): void {
  const access = cipher.decrypt(row.accessTokenCiphertext, tokenContext(row.userId, 'access'));
  const refresh = row.refreshTokenCiphertext
    ? cipher.decrypt(row.refreshTokenCiphertext, tokenContext(row.userId, 'refresh'))
    : undefined;
  row.accessTokenCiphertext = cipher.encrypt(access, tokenContext(row.userId, 'access'));
  row.refreshTokenCiphertext = refresh === undefined ? null : cipher.encrypt(refresh, tokenContext(row.userId, 'refresh'));
  row.keyId = cipher.currentKeyId;
}
