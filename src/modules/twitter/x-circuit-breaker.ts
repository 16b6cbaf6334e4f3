// The circuit breaker in front of X: one per X base URL, shared by every instance through Redis in
// server mode (per process in embedded mode, which is single-instance anyway).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiPartialResponseError, ApiRequestError } from 'twitter-api-v2';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { Clock } from '../../core/clock/clock';
import { providerResponseOf } from '../rate-limit/rate-limiter.service';
import { CircuitBreakerOptions } from './circuit-breaker';
import { CircuitBreakerStore } from './circuit-breaker.store';
import { XCircuitOpenError } from './twitter.exception';

export const X_CIRCUIT_BREAKER_OPTIONS = Symbol('X_CIRCUIT_BREAKER_OPTIONS');

/** What counts against X: 5xx answers, and requests that got no (complete) answer at all. */
export function isXFailure(error: unknown): boolean {
  if (error instanceof ApiRequestError || error instanceof ApiPartialResponseError) return true;
  const response = providerResponseOf(error);
  return response !== null && response.status >= 500;
}

@Injectable()
export class XCircuitBreaker {
  private readonly logger = new Logger('XCircuitBreaker');
  /** Named after the upstream, so tests against different fake servers never share a breaker. */
  readonly name: string;

  constructor(
    private readonly store: CircuitBreakerStore,
    private readonly clock: Clock,
    @Inject(X_CIRCUIT_BREAKER_OPTIONS) private readonly options: CircuitBreakerOptions,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.name = `x:${createHash('sha256').update(config.twitter.apiBaseUrl).digest('hex').slice(0, 16)}`;
  }

  /**
   * Runs one call to X, or throws `XCircuitOpenError` at once while the breaker is open. The call's
   * own error is rethrown untouched after it was counted.
   */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    const admission = await this.store.admit(this.name, this.clock.nowMs(), this.options);
    if (!admission.allowed) throw new XCircuitOpenError(admission.retryAfterMs);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      await (isXFailure(error) ? this.recordFailure() : this.recordSuccess());
      throw error;
    }
    await this.recordSuccess();
    return result;
  }

  // The call already happened: a store failure must not replace its outcome.
  private async recordFailure(): Promise<void> {
    try {
      const state = await this.store.recordFailure(this.name, this.clock.nowMs(), this.options);
      if (state === 'open') this.logger.warn({ msg: 'X circuit breaker opened', cooldownMs: this.options.cooldownMs });
    } catch (error) {
      this.logger.warn({ msg: 'could not record an X failure in the circuit breaker', err: error });
    }
  }

  private async recordSuccess(): Promise<void> {
    try {
      await this.store.recordSuccess(this.name);
    } catch (error) {
      this.logger.warn({ msg: 'could not record an X success in the circuit breaker', err: error });
    }
  }
}
