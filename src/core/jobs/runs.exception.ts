// The run engine's error codes, as the HTTP API and callers of RunsService see them.
import { DomainException } from '../errors/domain.exception';

export enum RunsErrorCode {
  RunNotFound = 'RUN_NOT_FOUND',
  QueueUnavailable = 'RUNS_QUEUE_UNAVAILABLE',
  NotCancellable = 'RUN_NOT_CANCELLABLE',
  NotRetryable = 'RUN_NOT_RETRYABLE',
  EventsUnavailable = 'RUN_EVENTS_UNAVAILABLE',
}

/** Malformed, unknown, deleted or another user's run id: all look the same, so ids cannot be probed. */
export class RunNotFoundException extends DomainException {
  constructor(field = 'id') {
    super(RunsErrorCode.RunNotFound, `Run not found (${field})`, 404);
  }
}

/** The run could not be queued (Redis unreachable); the run is marked FAILED. */
export class RunsQueueUnavailableException extends DomainException {
  constructor() {
    super(RunsErrorCode.QueueUnavailable, 'The run queue is unavailable; please try again later', 503, { 'Retry-After': '30' });
  }
}

/** Only a PENDING or RUNNING run can be cancelled; the message names the state it is in. */
export class RunNotCancellableException extends DomainException {
  constructor(state: string) {
    super(RunsErrorCode.NotCancellable, `Only a PENDING or RUNNING run can be cancelled; this one is ${state}`, 409);
  }
}

/** Only a FAILED or CANCELLED run can be retried; the message names the state it is in. */
export class RunNotRetryableException extends DomainException {
  constructor(state: string) {
    super(RunsErrorCode.NotRetryable, `Only a FAILED or CANCELLED run can be retried; this one is ${state}`, 409);
  }
}

/** The event stream could not subscribe (Redis unreachable in server mode). */
export class RunEventsUnavailableException extends DomainException {
  constructor() {
    super(RunsErrorCode.EventsUnavailable, 'Run events are unavailable; please try again later', 503, { 'Retry-After': '30' });
  }
}
