// The run engine's error codes, as the HTTP API and callers of RunsService see them.
import { DomainException } from '../errors/domain.exception';

export enum RunsErrorCode {
  RunNotFound = 'RUN_NOT_FOUND',
  QueueUnavailable = 'RUNS_QUEUE_UNAVAILABLE',
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
