// A circuit breaker for calls to X. After `failureThreshold` consecutive failures (5xx, network
// errors) it opens: calls fail fast, without reaching X, for `cooldownMs`. Then it half-opens and
// lets one probe through (others still fail fast): a probe that succeeds closes it, one that fails
// opens it again for another cool-down. Any answer that is not a failure (2xx, 4xx, 429) proves X
// is up and resets the count.
//
// The transitions are pure functions over a small snapshot, so they are unit-tested without a
// store; `CircuitBreakerStore` applies them atomically (in memory, or in Redis so that every
// instance and worker shares one breaker).

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  /** How long a half-open probe may take before another caller may probe instead. */
  probeTimeoutMs: number;
}

export const X_CIRCUIT_BREAKER_DEFAULTS: CircuitBreakerOptions = {
  failureThreshold: 5,
  cooldownMs: 30_000,
  probeTimeoutMs: 15_000,
};

export interface CircuitSnapshot {
  /** Consecutive failures seen. */
  failures: number;
  /** When it (last) opened, epoch ms; null while closed. */
  openedAt: number | null;
  /** Until when a half-open probe is in flight, epoch ms; null when none is. */
  probeUntil: number | null;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export type Admission =
  | { allowed: true; state: CircuitState; probe: boolean }
  | { allowed: false; state: CircuitState; retryAfterMs: number };

export const CLOSED_CIRCUIT: CircuitSnapshot = Object.freeze({ failures: 0, openedAt: null, probeUntil: null });

export function circuitStateOf(snapshot: CircuitSnapshot, now: number, options: CircuitBreakerOptions): CircuitState {
  if (snapshot.openedAt === null) return 'closed';
  return now < snapshot.openedAt + options.cooldownMs ? 'open' : 'half_open';
}

/** Whether a call may go through now, and the snapshot after deciding (a probe marks itself). */
export function admitCall(
  snapshot: CircuitSnapshot,
  now: number,
  options: CircuitBreakerOptions,
): { admission: Admission; next: CircuitSnapshot } {
  const state = circuitStateOf(snapshot, now, options);
  switch (state) {
    case 'closed':
      return { admission: { allowed: true, state, probe: false }, next: snapshot };
    case 'open':
      return {
        admission: { allowed: false, state, retryAfterMs: (snapshot.openedAt ?? now) + options.cooldownMs - now },
        next: snapshot,
      };
    case 'half_open':
      if (snapshot.probeUntil !== null && snapshot.probeUntil > now) {
        return { admission: { allowed: false, state, retryAfterMs: snapshot.probeUntil - now }, next: snapshot };
      }
      return {
        admission: { allowed: true, state, probe: true },
        next: { ...snapshot, probeUntil: now + options.probeTimeoutMs },
      };
  }
}

/** A failed call: counts it, and opens the breaker at the threshold or when it was not closed (a failed probe). */
export function recordCallFailure(snapshot: CircuitSnapshot, now: number, options: CircuitBreakerOptions): CircuitSnapshot {
  const failures = snapshot.failures + 1;
  if (snapshot.openedAt !== null || failures >= options.failureThreshold) {
    return { failures, openedAt: now, probeUntil: null };
  }
  return { ...snapshot, failures };
}

/** X answered: the breaker closes and the count starts again. */
export function recordCallSuccess(): CircuitSnapshot {
  return CLOSED_CIRCUIT;
}
