// Object keys whose values are credentials whatever they look like: a password of "1234" has no
// shape a text detector could recognise.

// Compared against the key lower-cased with separators removed, so `api_key`, `apiKey`,
// `x-api-key`, `API-KEY`, `client_secret` and `refreshToken` all match by their ending.
const SENSITIVE_KEY_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'cookie',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
];
const SENSITIVE_KEYS_EXACT = new Set(['pwd']);
const SEPARATORS = /[^a-z0-9]/g;

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(SEPARATORS, '');
  return SENSITIVE_KEYS_EXACT.has(normalized) || SENSITIVE_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
}
