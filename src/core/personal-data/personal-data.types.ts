// The vocabulary of the personal-data map (spec section 3c): one typed declaration per table that
// names a person, written by the module that owns the table in `<module>.personal-data.ts`.
// Erasure, export, retention, the /privacy page, the record of processing (GDPR Art. 30) and the
// test helpers are all derived from these declarations; nothing else lists where a person's data is.
//
// Table and column names here are written into SQL (never input): the map validates them as plain
// identifiers when it is built.
import type { RetentionCategory } from './retention-periods';

/** GDPR Art. 6(1): the lawful basis of a processing. */
export type LegalBasis =
  | 'Art. 6(1)(a) consent'
  | 'Art. 6(1)(b) contract'
  | 'Art. 6(1)(c) legal obligation'
  | 'Art. 6(1)(f) legitimate interests';

/** Who receives the data outside this service (processors and third parties). */
export type Recipient = 'X (Twitter)' | 'Anthropic' | 'Stripe' | 'Alert webhook (operator)';

/** How a pseudonymised column is rewritten on erasure (implemented in pseudonymisation.ts). */
export type PseudonymisationRule =
  /** The column holds the user id: replaced by its keyed hash (Pseudonyms, PSEUDONYM_KEY). */
  | 'keyed-hash'
  /** A JSON document: names, emails, phone numbers and addresses removed, the user id replaced by its keyed hash. */
  | 'scrub-identifying-fields';

export type ErasureAction =
  /** Rows are deleted in delete-my-data's transaction; `countAs` names the count in its response. */
  | { action: 'delete'; countAs?: string }
  /** Rows are kept, rewritten so they name no one; `reason` is why they must outlive the erasure. */
  | { action: 'pseudonymise'; columns: Record<string, PseudonymisationRule>; reason: string }
  /** Rows are kept as they are; `reason` is the obligation (law, proof) that requires it. */
  | { action: 'keep'; reason: string };

export interface ExportRule {
  /** Key of the export document. */
  key: string;
  /** Columns written (never secrets such as token ciphertexts). */
  columns: readonly string[];
  /** A column unique per person, for keyset pagination (default `id`). */
  orderBy?: string;
  /** The section is one object rather than a list of rows (the account itself). */
  single?: true;
}

/**
 * One way rows of the table expire. `expiredWhere` selects expired rows of the table (aliased
 * `t`); every `?` in it is the category's cutoff (now minus its days). A constant, never input.
 */
export interface RetentionRule {
  category: RetentionCategory;
  expiredWhere: string;
}

/** Retention: the rules that expire rows, or `kept` with the reason rows are not expired by age. */
export type RetentionPolicy = { rules: readonly RetentionRule[] } | { kept: string };

export interface PersonalDataTable {
  table: string;
  /**
   * The column that names the person. `holds: 'pseudonym'` when it stores the keyed hash of the
   * user id (Pseudonyms.of) rather than the id itself.
   */
  person: { column: string; holds?: 'user-id' | 'pseudonym' };
  /** Category of personal data, in the words of the record of processing. */
  category: string;
  purpose: string;
  legalBasis: LegalBasis;
  recipients?: readonly Recipient[];
  /** Technical and organisational measures protecting it (Art. 30(1)(g)). */
  safeguards: readonly string[];
  /** The table has `deleted_at` (retention soft-deletes first; export and erasure skip nothing). */
  softDeletable: boolean;
  /**
   * A column holding the path (under DATA_DIR) of a file that belongs to the row: erasure and
   * retention remove the file with the row.
   */
  fileColumn?: string;
  /**
   * Text columns holding the person's content, sealed under their data key (crypto-shredding,
   * src/core/crypto/content-cipher.ts) and bound to the row's `id`: export decrypts them, and
   * `npm run cli -- encrypt-content` seals rows written before encryption.
   */
  encrypted?: readonly string[];
  /** JSON columns sealed the same way: the column holds the sealed text of the document as a JSON string. */
  encryptedJson?: readonly string[];
  erasure: ErasureAction;
  export: ExportRule;
  retention: RetentionPolicy;
}

/** A Redis key that names a person. Keys that live longer than an hour must be erased with the person. */
export interface PersonalRedisKey {
  /** The key's shape, for the record of processing (`<userId>` marks the person). */
  pattern: string;
  category: string;
  purpose: string;
  legalBasis: LegalBasis;
  /** The longest the key lives, in seconds; null when it has no expiry. */
  maxTtlSeconds: number | null;
  /** The key(s) to delete on erasure; required when the key can live longer than an hour. */
  keysOf?: (userId: string) => string[];
}

export interface PersonalDataDeclarations {
  tables?: readonly PersonalDataTable[];
  redisKeys?: readonly PersonalRedisKey[];
}

/** Longest a Redis key naming a person may live without being erased with the person (spec 3c). */
export const REDIS_KEY_SELF_EXPIRY_LIMIT_SECONDS = 3600;
