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
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, DEV_SECRETS_FILE);
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  }
  const secrets: DevSecrets = {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
    EXPORT_SIGNING_KEY: randomBytes(48).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  // 0600: these are real secrets for this installation's data.
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  return secrets;
}
