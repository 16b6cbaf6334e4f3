// The contract both stores (Redis for server mode, memory for embedded mode) fulfil; also the
// Nest injection token for whichever one the module chose.

export interface ConsumeResult {
  allowed: boolean;
  /**
   * Requests still allowed in the current window after this one; a store may understate it (the
   * Redis store counts stale entries until it needs to prune), never overstate it.
   */
  remaining: number;
  /** 0 when allowed; otherwise how long until a request can be admitted again. */
  retryAfterMs: number;
  /** True when a provider-announced block (see `blockUntil`) refused the request, not the window. */
  blocked: boolean;
  /** Identifies the admitted entry so a multi-key decision can take it back; null when refused. */
  entryId: string | null;
}

export abstract class RateLimitStore {
  /**
   * Decides one request against an exact sliding window log of `limit` requests per `windowMs`:
   * refused while `key` is blocked, or while `limit` entries are younger than `windowMs`. A refused
   * request is not recorded, so it neither consumes nor extends the window.
   */
  abstract consume(key: string, limit: number, windowMs: number): Promise<ConsumeResult>;

  /** Takes back an admitted entry (used when a second key of the same decision refuses). */
  abstract release(key: string, entryId: string): Promise<void>;

  /** Refuses every request for `key` until `untilEpochMs`; never shortens a longer block. */
  abstract blockUntil(key: string, untilEpochMs: number): Promise<void>;

  abstract close(): Promise<void>;
}
