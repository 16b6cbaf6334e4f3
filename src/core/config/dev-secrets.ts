// Embedded/development mode must run with no configuration, so the secrets production is given
// explicitly are generated once into DATA_DIR and reused on every later start (tokens minted by
// the CLI and encrypted rows keep working across restarts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  ENCRYPTION_KEYS: string;
  EXPORT_SIGNING_KEY: string;
  AUDIT_KEY: string;
  PSEUDONYM_KEY: string;
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

const GENERATORS: Record<keyof DevSecrets, () => string> = {
  JWT_SECRET: () => randomBytes(48).toString('base64url'),
  ENCRYPTION_KEYS: () => `dev1:${randomBytes(32).toString('base64')}`,
  EXPORT_SIGNING_KEY: () => randomBytes(48).toString('base64url'),
  AUDIT_KEY: () => randomBytes(48).toString('base64url'),
  PSEUDONYM_KEY: () => randomBytes(48).toString('base64url'),
};

/**
 * Reads the installation's generated secrets, creating the file on first start. A file written by
 * an older release gains the secrets added since (the ones it has are never replaced: rows
 * encrypted or hashed under them must stay readable).
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, DEV_SECRETS_FILE);
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : undefined;
  const names = Object.keys(GENERATORS) as (keyof DevSecrets)[];
  if (existing && names.every((name) => typeof existing[name] === 'string')) return existing as DevSecrets;
  const secrets = Object.fromEntries(names.map((name) => [name, existing?.[name] ?? GENERATORS[name]()])) as unknown as DevSecrets;
  mkdirSync(dataDir, { recursive: true });
  // 0600: these are real secrets for this installation's data. `wx` on first creation, so two
  // processes starting at once cannot each write their own.
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: existing ? 'w' : 'wx' });
  return secrets;
}
