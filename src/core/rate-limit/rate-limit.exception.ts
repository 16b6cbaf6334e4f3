// The rate-limit error codes. They live in core because the job engine classifies them (it reads
// `retryAfterMs` to delay a run instead of failing it, PRODUCT.md 3b); the RateLimit module throws them.
import { DomainException } from '../errors/domain.exception';
import type { Provider, ProviderResponseInfo, RateLimitRejectionReason } from './rate-limit.types';

export enum RateLimitErrorCode {
  RateLimited = 'RATE_LIMITED',
  StoreUnavailable = 'RATE_LIMIT_STORE_UNAVAILABLE',
  ProviderUnavailable = 'PROVIDER_UNAVAILABLE',
}

function retryAfterHeader(retryAfterMs: number): Record<string, string> {
  return { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
}

/** Our limiter or the provider refused the call; try again after `retryAfterMs`. */
export class RateLimitExceededException extends DomainException {
  constructor(
    readonly provider: Provider,
    readonly retryAfterMs: number,
    readonly reason: RateLimitRejectionReason,
  ) {
    super(
      RateLimitErrorCode.RateLimited,
      `Rate limit for ${provider} reached; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      429,
      retryAfterHeader(retryAfterMs),
    );
  }
}

/**
 * The rate-limit store cannot be reached, so no decision can be made and the outbound call is not
 * made (fail closed): a provider ban costs more than a delayed run.
 */
export class RateLimitStoreUnavailableException extends DomainException {
  constructor(options?: { cause?: unknown }) {
    super(RateLimitErrorCode.StoreUnavailable, 'Rate limit store is unavailable; the call was not made', 503);
    if (options?.cause !== undefined) {
      // Kept for logs and debugging; never part of the HTTP body.
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
    }
  }
}

/** The provider kept failing with 5xx until the attempts ran out. */
export class ProviderUnavailableException extends DomainException {
  constructor(
    readonly provider: Provider,
    readonly providerStatus: number,
    readonly retryAfterMs: number,
  ) {
    super(
      RateLimitErrorCode.ProviderUnavailable,
      `${provider} is unavailable (status ${providerStatus}); retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      503,
      retryAfterHeader(retryAfterMs),
    );
  }
}

/**
 * Thrown by a guarded call to report the provider's failed response (status and headers), so
 * `callWithRateLimit` can apply the headers and decide whether to retry.
 */
export class ProviderResponseError extends Error {
  constructor(
    readonly response: ProviderResponseInfo,
    message = `Provider responded with status ${response.status}`,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
