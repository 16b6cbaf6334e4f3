// Where the tests find the real services. `.ci/run` makes sure they are up; override with
// TEST_POSTGRES_URL / TEST_REDIS_URL to point elsewhere.
export const TEST_POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_DATABASE_NAME = process.env.TEST_DATABASE_NAME ?? 'repazoo_test';
export const TEST_DATABASE_URL = TEST_POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${TEST_DATABASE_NAME}`);
/** Database 1, so the tests never touch keys of a Redis used for anything else in db 0. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;
export const TEST_EXPORT_SIGNING_KEY = 'test-export-signing-key-0123456789abcdef';
export const TEST_AUDIT_KEY = 'test-audit-key-that-is-long-enough-0123456789';
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-that-is-long-enough-0123456789';

/** The secrets server mode requires (production rules apply whenever DATABASE_URL is set). */
export const TEST_SECRETS_ENV = {
  JWT_SECRET: TEST_JWT_SECRET,
  ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
  EXPORT_SIGNING_KEY: TEST_EXPORT_SIGNING_KEY,
  AUDIT_KEY: TEST_AUDIT_KEY,
  PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
} as const;
