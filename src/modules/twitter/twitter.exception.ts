// The Twitter module's error codes. Ingestion and deletion-check failures are job errors: the run
// records the code, and the class (permanent or transient) tells the run engine whether to retry.
import { DomainException } from '../../core/errors/domain.exception';
import { PermanentJobError, TransientJobError } from '../../core/jobs/job-errors';

export enum TwitterErrorCode {
  /** The circuit breaker is open after repeated X failures (5xx, network): calls fail fast until it half-opens. */
  X_CIRCUIT_OPEN = 'X_CIRCUIT_OPEN',
  /** X could not be reached or answered with a broken response. */
  X_UNAVAILABLE = 'X_UNAVAILABLE',
  /** X refused the user's access token (401): reconnecting X fixes it. */
  X_TOKEN_REJECTED = 'X_TOKEN_REJECTED',
  /** X refused the request itself (4xx other than 401 and 429), or reported an error instead of data. */
  X_REQUEST_REJECTED = 'X_REQUEST_REJECTED',
}

export class XCircuitOpenError extends TransientJobError {
  constructor(retryAfterMs: number) {
    super(
      TwitterErrorCode.X_CIRCUIT_OPEN,
      `Calls to X are paused after repeated failures (circuit breaker open); next try in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`,
      retryAfterMs,
    );
  }
}

export class XUnavailableError extends TransientJobError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(TwitterErrorCode.X_UNAVAILABLE, `X could not be reached: ${reason}`, undefined, options);
  }
}

export class XTokenRejectedError extends PermanentJobError {
  constructor() {
    super(TwitterErrorCode.X_TOKEN_REJECTED, 'X refused the access token; reconnect your X account');
  }
}

export class XRequestRejectedError extends PermanentJobError {
  constructor(detail: string) {
    super(TwitterErrorCode.X_REQUEST_REJECTED, `X refused the request: ${detail}`);
  }
}

/** `before` names no stored tweet of the caller (404, so ids cannot be probed). */
export class TweetNotFoundException extends DomainException {
  constructor(field: string) {
    super('TWEET_NOT_FOUND', `${field}: no stored tweet of yours has this id`, 404);
  }
}
