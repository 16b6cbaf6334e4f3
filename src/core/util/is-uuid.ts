const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a UUID in its canonical 8-4-4-4-12 hex form (any version). Ids from a path are checked
 * before they reach a `uuid` column, where a malformed one would be a database error, not a 404.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
