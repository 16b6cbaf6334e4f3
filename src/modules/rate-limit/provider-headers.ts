// Reads the rate-limit headers X and Anthropic send and turns them into "blocked until" instants.
import type { ProviderHeaders } from '../../core/rate-limit/rate-limit.types';

/** Case-insensitive header lookup over fetch `Headers` and Node-style header records. */
export function readHeader(headers: ProviderHeaders, name: string): string | undefined {
  if (isFetchHeaders(headers)) {
    return headers.get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) {
      continue;
    }
    if (typeof value === 'number') {
      return String(value);
    }
    if (typeof value === 'string') {
      return value;
    }
    return value[0];
  }
  return undefined;
}

// Duck-typed because SDKs may bring their own Headers implementation.
function isFetchHeaders(headers: ProviderHeaders): headers is Headers {
  return typeof (headers as { get?: unknown }).get === 'function';
}

function parseInteger(value: string | undefined): number | null {
  if (value === undefined || !/^\s*-?\d+\s*$/.test(value)) {
    return null;
  }
  return Number.parseInt(value, 10);
}

/** `Retry-After` as delay-seconds (decimals tolerated) or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) {
    return null;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.ceil(Number.parseFloat(trimmed) * 1000);
  }
  // HTTP-dates start with a day name; Date.parse would otherwise take "-5" for a year.
  const at = /^[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * X reports per-user-token limits: with `x-rate-limit-remaining: 0` nothing more is allowed until
 * `x-rate-limit-reset` (Unix seconds). Returns that instant in epoch ms, or null when not exhausted.
 */
export function parseXRateLimitBlockUntil(headers: ProviderHeaders): number | null {
  if (parseInteger(readHeader(headers, 'x-rate-limit-remaining')) !== 0) {
    return null;
  }
  const resetSeconds = parseInteger(readHeader(headers, 'x-rate-limit-reset'));
  return resetSeconds === null ? null : resetSeconds * 1000;
}

const ANTHROPIC_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/**
 * Anthropic answers 429 (rate limited) and 529 (overloaded) with `retry-after` seconds, and reports
 * each limit as `anthropic-ratelimit-<limit>-remaining` with an RFC 3339 `-reset`. Returns the
 * latest instant any of them forbids calling before, or null when none does.
 */
export function parseAnthropicRateLimitBlockUntil(headers: ProviderHeaders, status: number, nowMs: number): number | null {
  const candidates: number[] = [];
  if (status === 429 || status === 529) {
    const retryAfterMs = parseRetryAfterMs(readHeader(headers, 'retry-after'), nowMs);
    if (retryAfterMs !== null) {
      candidates.push(nowMs + retryAfterMs);
    }
  }
  for (const limit of ANTHROPIC_LIMITS) {
    if (parseInteger(readHeader(headers, `anthropic-ratelimit-${limit}-remaining`)) !== 0) {
      continue;
    }
    const resetValue = readHeader(headers, `anthropic-ratelimit-${limit}-reset`);
    const resetAt = resetValue === undefined ? Number.NaN : Date.parse(resetValue);
    if (!Number.isNaN(resetAt)) {
      candidates.push(resetAt);
    }
  }
  return candidates.length === 0 ? null : Math.max(...candidates);
}
