// Errors a job handler throws to tell the engine what to do next, and the classifier that reads
// any thrown value as permanent (fail now), transient (retry with backoff) or delayed (a provider
// or our limiter said "not before ..."; the run waits without losing an attempt).
import { DriverException } from '@mikro-orm/core';
import { DomainException } from '../errors/domain.exception';
import { redactForLog } from '../logging/redact-for-log';
import {
  ProviderUnavailableException,
  RateLimitExceededException,
  RateLimitStoreUnavailableException,
} from '../rate-limit/rate-limit.exception';

/** Retrying cannot help (bad input, missing data, consent revoked): the run ends FAILED now. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A later attempt may succeed (network, provider 5xx): retried with backoff while attempts remain. */
export class TransientJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The earliest sensible retry, when the cause announced one. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The reason of `RunContext.signal` when the run was cancelled (by the user or by erasure). */
export class RunCancelledError extends Error {
  readonly code = 'RUN_CANCELLED';

  constructor(message = 'The run was cancelled') {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The reason of `RunContext.signal` when this worker shuts down: the run goes back to PENDING
 * (without losing an attempt) and another worker, or the next start, picks it up.
 */
export class WorkerShutdownError extends Error {
  readonly code = 'WORKER_SHUTDOWN';

  constructor() {
    super('The worker is shutting down');
    this.name = new.target.name;
  }
}

export type JobErrorClassification =
  | { kind: 'permanent'; code: string; message: string }
  | { kind: 'transient'; code: string; message: string; retryAfterMs?: number }
  /** Not the run's fault: wait `retryAfterMs`, then try again without counting an attempt. */
  | { kind: 'delayed'; code: string; message: string; retryAfterMs: number };

export const DEFAULT_JOB_ERROR_CODE = 'JOB_FAILED';
const ERROR_CODE_SHAPE = /^[A-Z][A-Z0-9_]{1,63}$/;
const MAX_ERROR_MESSAGE_LENGTH = 1000;

export interface ClassifyOptions {
  /** Delay after `RateLimitStoreUnavailableException` (the limiter cannot decide; fail closed, retry soon). */
  storeUnavailableDelayMs: number;
}

export function classifyJobError(error: unknown, { storeUnavailableDelayMs }: ClassifyOptions): JobErrorClassification {
  const code = errorCodeOf(error);
  const message = safeErrorMessage(error);
  if (error instanceof PermanentJobError) return { kind: 'permanent', code, message };
  if (error instanceof TransientJobError) return { kind: 'transient', code, message, retryAfterMs: error.retryAfterMs };
  if (error instanceof RateLimitExceededException) return { kind: 'delayed', code, message, retryAfterMs: error.retryAfterMs };
  if (error instanceof RateLimitStoreUnavailableException) {
    return { kind: 'delayed', code, message, retryAfterMs: storeUnavailableDelayMs };
  }
  if (error instanceof ProviderUnavailableException) return { kind: 'transient', code, message, retryAfterMs: error.retryAfterMs };
  if (error instanceof DomainException) {
    const { statusCode } = error;
    // A refusal of the request itself (403 consent, 404, 422 bad answer...) will not change by
    // waiting; 408 and 429 will, and so may any 5xx.
    if (statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429) {
      return { kind: 'permanent', code, message };
    }
    return { kind: 'transient', code, message, retryAfterMs: retryAfterHeaderMs(error.headers) };
  }
  return { kind: 'transient', code, message };
}

function errorCodeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && ERROR_CODE_SHAPE.test(code) ? code : DEFAULT_JOB_ERROR_CODE;
}

/** The message stored with the run and shown to its owner: redacted, bounded, never a stack. */
export function safeErrorMessage(error: unknown): string {
  const raw = error instanceof DriverException ? driverMessage(error) : error instanceof Error ? error.message : typeof error === 'string' ? error : 'Unknown error';
  const redacted = redactForLog(raw || (error instanceof Error ? error.name : 'Unknown error'));
  return redacted.length > MAX_ERROR_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : redacted;
}

/**
 * knex prefixes a failed query's error with the statement and its parameters inlined (`<sql> - <error>`):
 * tweet text, user ids. Only the driver's own words are kept, after the last separator.
 */
function driverMessage(error: DriverException): string {
  const separator = error.message.lastIndexOf(' - ');
  const driverWords = separator === -1 ? error.message : error.message.slice(separator + 3);
  return `Database error (${error.name}): ${driverWords}`;
}

function retryAfterHeaderMs(headers: Record<string, string>): number | undefined {
  const value = headers['Retry-After'] ?? headers['retry-after'];
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
