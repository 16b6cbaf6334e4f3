import { DomainException } from '../../core/errors/domain.exception';

export enum DataRequestErrorCode {
  NOT_FOUND = 'DATA_REQUEST_NOT_FOUND',
  CLOSED = 'DATA_REQUEST_CLOSED',
  ALREADY_EXTENDED = 'DATA_REQUEST_ALREADY_EXTENDED',
  EXTENSION_TOO_LATE = 'DATA_REQUEST_EXTENSION_TOO_LATE',
  DAILY_LIMIT = 'DATA_REQUEST_DAILY_LIMIT',
  LEGAL_HOLD = 'LEGAL_HOLD',
  LEGAL_HOLD_NOT_FOUND = 'LEGAL_HOLD_NOT_FOUND',
  LEGAL_HOLD_LIFTED = 'LEGAL_HOLD_ALREADY_LIFTED',
}

export class DataRequestNotFoundException extends DomainException {
  constructor() {
    super(DataRequestErrorCode.NOT_FOUND, 'No data subject request has this id', 404);
  }
}

/** Completed and refused requests are answered: they change no more. */
export class DataRequestClosedException extends DomainException {
  constructor(status: string) {
    super(DataRequestErrorCode.CLOSED, `The request is already ${status} and cannot change`, 409);
  }
}

/** GDPR and CCPA each allow one extension. */
export class DataRequestAlreadyExtendedException extends DomainException {
  constructor() {
    super(DataRequestErrorCode.ALREADY_EXTENDED, 'The request was already extended once; the law allows no second extension', 409);
  }
}

/** The person must be told of an extension within the original period (GDPR Art. 12(3)). */
export class DataRequestExtensionTooLateException extends DomainException {
  constructor() {
    super(DataRequestErrorCode.EXTENSION_TOO_LATE, 'The original deadline has passed: an extension had to be given before it', 409);
  }
}

export class DataRequestDailyLimitException extends DomainException {
  constructor(limit: number, retryAfterSeconds: number) {
    super(DataRequestErrorCode.DAILY_LIMIT, `At most ${limit} requests can be filed in 24 hours; try again later`, 429, {
      'Retry-After': String(Math.max(1, retryAfterSeconds)),
    });
  }
}

/** Erasure refused: a legal obligation requires keeping the data (GDPR Art. 17(3)(b) and (e)). */
export class LegalHoldException extends DomainException {
  constructor() {
    super(
      DataRequestErrorCode.LEGAL_HOLD,
      'Your data cannot be deleted now: it must be kept under a legal obligation (a legal hold). Your request is recorded as refused for this reason; nothing was deleted',
      409,
    );
  }
}

export class LegalHoldNotFoundException extends DomainException {
  constructor() {
    super(DataRequestErrorCode.LEGAL_HOLD_NOT_FOUND, 'No legal hold has this id', 404);
  }
}

export class LegalHoldAlreadyLiftedException extends DomainException {
  constructor() {
    super(DataRequestErrorCode.LEGAL_HOLD_LIFTED, 'This legal hold was already lifted', 409);
  }
}
