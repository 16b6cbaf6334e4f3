import { DomainException } from '../../core/errors/domain.exception';

export enum ExportErrorCode {
  NOT_FOUND = 'EXPORT_NOT_FOUND',
  LINK_INVALID = 'EXPORT_LINK_INVALID',
  LINK_EXPIRED = 'EXPORT_LINK_EXPIRED',
  /** EXPORTS_PER_DAY exports were started in the last 24 hours. */
  DAILY_LIMIT = 'EXPORT_DAILY_LIMIT',
}

/** Also for another user's export id: 404, not 403, so ids cannot be probed. */
export class ExportNotFoundException extends DomainException {
  constructor() {
    super(ExportErrorCode.NOT_FOUND, 'Export not found', 404);
  }
}

export class ExportLinkInvalidException extends DomainException {
  constructor() {
    super(ExportErrorCode.LINK_INVALID, 'This download link is not valid', 403);
  }
}

export class ExportLinkExpiredException extends DomainException {
  constructor() {
    super(ExportErrorCode.LINK_EXPIRED, 'This download link has expired; request a new export', 410);
  }
}

export class ExportDailyLimitException extends DomainException {
  constructor(limit: number, retryAfterSeconds: number) {
    super(ExportErrorCode.DAILY_LIMIT, `At most ${limit} exports can be started in 24 hours; try again later`, 429, {
      'Retry-After': String(Math.max(1, retryAfterSeconds)),
    });
  }
}
