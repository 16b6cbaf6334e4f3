// Outbound rate limiting for X and Anthropic: the per-user and organisation windows, the blocks
// providers announce in their headers, and the one retry policy for provider calls.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { BackoffOptions, computeBackoffMs, DEFAULT_BACKOFF, isRetryableStatus } from './backoff';
import {
  parseAnthropicRateLimitBlockUntil,
  parseRetryAfterMs,
  parseXRateLimitBlockUntil,
  readHeader,
} from './provider-headers';
import {
  ProviderResponseError,
  ProviderUnavailableException,
  RateLimitExceededException,
} from '../../core/rate-limit/rate-limit.exception';
import { RateLimitRejectionRecorder } from './rate-limit-rejection.recorder';
import { ConsumeResult, RateLimitStore } from './rate-limit.store';
import type {
  Provider,
  ProviderCallResult,
  ProviderHeaders,
  ProviderResponseInfo,
  RateLimitPolicies,
  RateLimitRejectionReason,
} from '../../core/rate-limit/rate-limit.types';

export const RATE_LIMIT_POLICIES = 'RATE_LIMIT_POLICIES';

export function userRateLimitKey(provider: Provider, userId: string): string {
  return `${provider}:${userId}`;
}

/** Cannot collide with a user key, which always has a `:` after the provider. */
export function organisationRateLimitKey(provider: Provider): string {
  return `${provider}-org`;
}

export interface RateLimitGrant {
  provider: Provider;
  /** Requests the user may still make in the current window. */
  remaining: number;
}

/** One decision of the outbound limiter, for observers such as the metrics (provider 429s count as rejections). */
export interface RateLimitDecision {
  provider: Provider;
  allowed: boolean;
  /** Why it was refused; absent when allowed. */
  reason?: RateLimitRejectionReason;
}

export type RateLimitDecisionObserver = (decision: RateLimitDecision) => void;

export interface CallWithRateLimitOptions {
  /** Calls to the provider, counting the first one. */
  maxAttempts: number;
  backoff?: BackoffOptions;
  /**
   * A wait longer than this is not slept through: the error goes to the caller at once, so a job
   * is delayed (PENDING with nextAttemptAt) instead of holding a worker. Default 30 s.
   */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const DEFAULT_MAX_WAIT_MS = 30_000;

function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The provider response a guarded call failed with: a `ProviderResponseError`, or any error with a
 * numeric `status` (and optional `headers`), which is how the Anthropic SDK's `APIError` looks.
 */
export function providerResponseOf(error: unknown): ProviderResponseInfo | null {
  if (error instanceof ProviderResponseError) {
    return error.response;
  }
  if (typeof error !== 'object' || error === null) {
    return null;
  }
  const { status, headers } = error as { status?: unknown; headers?: unknown };
  if (typeof status !== 'number') {
    return null;
  }
  const providerHeaders = typeof headers === 'object' && headers !== null ? (headers as ProviderHeaders) : {};
  return { status, headers: providerHeaders };
}

@Injectable()
export class RateLimiterService {
  private readonly logger = new Logger(RateLimiterService.name);
  private readonly decisionObservers: RateLimitDecisionObserver[] = [];

  constructor(
    private readonly store: RateLimitStore,
    @Inject(RATE_LIMIT_POLICIES) private readonly policies: RateLimitPolicies,
    private readonly recorder: RateLimitRejectionRecorder,
    private readonly clock: Clock,
  ) {}

  /** Adds an observer of every decision; it runs synchronously, so it must be cheap (and its errors are ignored). */
  observeDecisions(observer: RateLimitDecisionObserver): void {
    this.decisionObservers.push(observer);
  }

  /**
   * Admits one call to `provider` for `userId`, or throws `RateLimitExceededException` (429, with
   * `retryAfterMs`) or, when the store is unreachable, `RateLimitStoreUnavailableException` (503).
   *
   * The user's window is decided first and the organisation's second, each by its own atomic
   * script: the two keys live in different Redis Cluster slots (so users spread over the cluster),
   * and no script may touch both. When the organisation refuses, the user's entry is taken back.
   * The user is checked first because that is the refusal a busy user meets, and it then needs no
   * undo on the organisation key every instance shares. Between the two steps the user's count is
   * one too high, and if the undo itself fails the entry stays until its window passes: both err
   * towards refusing, never towards admitting more than a limit.
   */
  async acquire(provider: Provider, userId: string): Promise<RateLimitGrant> {
    const userPolicy = this.policies.perUser[provider];
    const userKey = userRateLimitKey(provider, userId);
    const userDecision = await this.store.consume(userKey, userPolicy.limit, userPolicy.windowMs);
    if (!userDecision.allowed) {
      return this.reject(provider, userId, userDecision, 'user_limit');
    }

    const organisationPolicy = this.policies.organisation[provider];
    if (organisationPolicy !== undefined) {
      let organisationDecision: ConsumeResult;
      try {
        organisationDecision = await this.store.consume(
          organisationRateLimitKey(provider),
          organisationPolicy.limit,
          organisationPolicy.windowMs,
        );
      } catch (error) {
        await this.releaseQuietly(userKey, userDecision.entryId);
        throw error;
      }
      if (!organisationDecision.allowed) {
        await this.releaseQuietly(userKey, userDecision.entryId);
        return this.reject(provider, userId, organisationDecision, 'organisation_limit');
      }
    }
    this.notifyDecision({ provider, allowed: true });
    return { provider, remaining: userDecision.remaining };
  }

  /**
   * X limits each user token: `x-rate-limit-remaining: 0` blocks this user's X calls on every
   * instance until `x-rate-limit-reset`. Returns the instant blocked until, or null.
   */
  async applyXHeaders(userId: string, headers: ProviderHeaders): Promise<number | null> {
    const blockedUntil = parseXRateLimitBlockUntil(headers);
    if (blockedUntil === null) {
      return null;
    }
    await this.store.blockUntil(userRateLimitKey('x', userId), blockedUntil);
    return blockedUntil;
  }

  /**
   * Anthropic limits the API key, which the whole organisation shares, so its signals block the
   * organisation key and with it every user (or only this user's key when no organisation cap is
   * configured, since only then is that the key `acquire` consults). Returns the instant blocked
   * until, or null.
   */
  async applyAnthropicHeaders(userId: string, headers: ProviderHeaders, status: number): Promise<number | null> {
    const blockedUntil = parseAnthropicRateLimitBlockUntil(headers, status, this.clock.nowMs());
    if (blockedUntil === null) {
      return null;
    }
    const key =
      this.policies.organisation.anthropic === undefined
        ? userRateLimitKey('anthropic', userId)
        : organisationRateLimitKey('anthropic');
    await this.store.blockUntil(key, blockedUntil);
    return blockedUntil;
  }

  async applyResponseHeaders(provider: Provider, userId: string, response: ProviderResponseInfo): Promise<number | null> {
    switch (provider) {
      case 'x':
        return this.applyXHeaders(userId, response.headers);
      case 'anthropic':
        return this.applyAnthropicHeaders(userId, response.headers, response.status);
    }
  }

  /**
   * The one retry policy for provider calls: acquire, call, apply the response's rate-limit
   * headers, and retry 429/5xx with capped exponential backoff and full jitter, preferring the
   * provider's own retry-after or reset. `fn` reports the provider response by returning it with
   * its value or by throwing it (`ProviderResponseError`, or an SDK error with `status`/`headers`).
   * When attempts run out, or the provider asks for a longer wait than `maxWaitMs`, it throws
   * `RateLimitExceededException` (after 429) or `ProviderUnavailableException` (after 5xx), both carrying
   * `retryAfterMs`. Other failures are rethrown untouched, and a refusal by our own limiter
   * (`acquire`) is thrown at once so the caller delays the job.
   */
  async callWithRateLimit<T>(
    provider: Provider,
    userId: string,
    fn: (attempt: number) => Promise<ProviderCallResult<T>>,
    options: CallWithRateLimitOptions,
  ): Promise<T> {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
    }
    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    const sleep = options.sleep ?? sleepFor;
    const random = options.random ?? Math.random;

    for (let attempt = 1; ; attempt++) {
      await this.acquire(provider, userId);
      const outcome = await invokeProvider(fn, attempt);
      const blockedUntil =
        outcome.response === undefined ? null : await this.applyHeadersQuietly(provider, userId, outcome.response);

      if (outcome.response === undefined || !isRetryableStatus(outcome.response.status)) {
        if (outcome.ok) {
          return outcome.value;
        }
        throw outcome.error;
      }

      const { status, headers } = outcome.response;
      if (status === 429) {
        await this.recordQuietly(provider, userId, 'provider_rejected');
      }
      const delayMs = this.retryDelayMs(headers, blockedUntil, attempt, backoff, random);
      if (attempt >= options.maxAttempts || delayMs > maxWaitMs) {
        throw status === 429
          ? new RateLimitExceededException(provider, delayMs, 'provider_rejected')
          : new ProviderUnavailableException(provider, status, delayMs);
      }
      await sleep(delayMs);
    }
  }

  /** The provider's own word (retry-after, or the reset it announced) wins over computed backoff. */
  private retryDelayMs(
    headers: ProviderHeaders,
    blockedUntil: number | null,
    attempt: number,
    backoff: BackoffOptions,
    random: () => number,
  ): number {
    const now = this.clock.nowMs();
    const hints: number[] = [];
    const retryAfterMs = parseRetryAfterMs(readHeader(headers, 'retry-after'), now);
    if (retryAfterMs !== null) {
      hints.push(retryAfterMs);
    }
    if (blockedUntil !== null) {
      hints.push(blockedUntil - now);
    }
    return hints.length > 0 ? Math.max(0, ...hints) : computeBackoffMs(attempt, backoff, random);
  }

  private async reject(
    provider: Provider,
    userId: string,
    decision: ConsumeResult,
    windowReason: RateLimitRejectionReason,
  ): Promise<never> {
    const reason = decision.blocked ? 'provider_block' : windowReason;
    await this.recordQuietly(provider, userId, reason);
    throw new RateLimitExceededException(provider, decision.retryAfterMs, reason);
  }

  /** Recording feeds Monitoring; its failure must not turn a 429 into something else. */
  private async recordQuietly(provider: Provider, userId: string, reason: RateLimitRejectionReason): Promise<void> {
    this.notifyDecision({ provider, allowed: false, reason });
    try {
      await this.recorder.recordRejection(provider, userId, reason);
    } catch (error) {
      this.logger.warn(`Could not record a ${provider} rate-limit rejection: ${errorMessage(error)}`);
    }
  }

  private notifyDecision(decision: RateLimitDecision): void {
    for (const observer of this.decisionObservers) {
      try {
        observer(decision);
      } catch {
        // An observer (metrics) must never change what the limiter decides.
      }
    }
  }

  private async releaseQuietly(key: string, entryId: string | null): Promise<void> {
    if (entryId === null) {
      return;
    }
    try {
      await this.store.release(key, entryId);
    } catch (error) {
      this.logger.warn(`Could not take back a rate-limit entry (it expires with its window): ${errorMessage(error)}`);
    }
  }

  /**
   * The provider was already called, so a store failure here must not hide its answer; if the
   * store is down the next `acquire` fails closed anyway.
   */
  private async applyHeadersQuietly(
    provider: Provider,
    userId: string,
    response: ProviderResponseInfo,
  ): Promise<number | null> {
    try {
      return await this.applyResponseHeaders(provider, userId, response);
    } catch (error) {
      this.logger.warn(`Could not apply ${provider} rate-limit headers: ${errorMessage(error)}`);
      return null;
    }
  }
}

type ProviderOutcome<T> =
  | { ok: true; value: T; response?: ProviderResponseInfo }
  | { ok: false; error: unknown; response: ProviderResponseInfo };

/** Errors that carry no provider response (bugs, network failures) propagate untouched. */
async function invokeProvider<T>(
  fn: (attempt: number) => Promise<ProviderCallResult<T>>,
  attempt: number,
): Promise<ProviderOutcome<T>> {
  try {
    const result = await fn(attempt);
    return { ok: true, value: result.value, response: result.response };
  } catch (error) {
    const response = providerResponseOf(error);
    if (response === null) {
      throw error;
    }
    return { ok: false, error, response };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
