const VISIBLE_SUFFIX_LENGTH = 4;
const MASK = '****';

/**
 * A user id as logs may show it: enough of its end to tell two users apart while debugging,
 * never the whole id. Ids no longer than the visible part are masked entirely.
 */
export function maskUserId(id: string): string {
  return id.length <= VISIBLE_SUFFIX_LENGTH ? MASK : MASK + id.slice(-VISIBLE_SUFFIX_LENGTH);
}
