// The rate-limit vocabulary: providers, policies and what a provider answered. In core because the
// config reads the policies; the RateLimit module (src/modules/rate-limit) enforces them.

export type Provider = 'x' | 'anthropic';

export const PROVIDERS: readonly Provider[] = ['x', 'anthropic'];

/** At most `limit` requests in any window of `windowMs` milliseconds (a sliding window). */
export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
}

export interface RateLimitPolicies {
  /** Applied to each user separately. */
  perUser: Record<Provider, RateLimitPolicy>;
  /** Shared by all users of a provider; a provider without an entry has no organisation-wide cap. */
  organisation: Partial<Record<Provider, RateLimitPolicy>>;
}

const MINUTE_MS = 60_000;

/**
 * X allows 900 user-context timeline requests per 15 minutes; Anthropic is held to 50 requests a
 * minute per user so one user cannot drain the organisation's allowance, which is capped as a whole.
 */
export const DEFAULT_RATE_LIMIT_POLICIES: RateLimitPolicies = {
  perUser: {
    x: { limit: 900, windowMs: 15 * MINUTE_MS },
    anthropic: { limit: 50, windowMs: MINUTE_MS },
  },
  organisation: {
    anthropic: { limit: 4000, windowMs: MINUTE_MS },
  },
};

/** Why a request was refused; Monitoring counts these per user. */
export type RateLimitRejectionReason =
  | 'user_limit'
  | 'organisation_limit'
  | 'provider_block'
  | 'provider_rejected';

/**
 * Response headers as the provider SDKs hand them over: fetch `Headers` (Anthropic SDK) or a
 * Node-style record (twitter-api-v2, plain http).
 */
export type ProviderHeaders = Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** What a provider answered, as far as rate limiting cares. */
export interface ProviderResponseInfo {
  status: number;
  headers: ProviderHeaders;
}

/** What a guarded call returns: its value and, when known, the provider response it came from. */
export interface ProviderCallResult<T> {
  value: T;
  response?: ProviderResponseInfo;
}

/** Rejects a policy that would silently admit everything or nothing, naming the bad field. */
export function validateRateLimitPolicies(policies: RateLimitPolicies): RateLimitPolicies {
  const check = (path: string, policy: RateLimitPolicy | undefined): void => {
    if (policy === undefined) {
      return;
    }
    if (!Number.isInteger(policy.limit) || policy.limit < 1) {
      throw new Error(`Rate limit policy ${path}.limit must be a positive integer, got ${String(policy.limit)}`);
    }
    if (!Number.isInteger(policy.windowMs) || policy.windowMs < 1) {
      throw new Error(`Rate limit policy ${path}.windowMs must be a positive integer, got ${String(policy.windowMs)}`);
    }
  };
  for (const provider of PROVIDERS) {
    check(`perUser.${provider}`, policies.perUser[provider]);
    check(`organisation.${provider}`, policies.organisation[provider]);
  }
  return policies;
}
