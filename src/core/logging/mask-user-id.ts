/** User ids in logs are masked to their last 4 characters (spec section 3, Redaction). */
export function maskUserIdForLog(userId: string): string {
  return userId.length > 4 ? `****${userId.slice(-4)}` : '****';
}
