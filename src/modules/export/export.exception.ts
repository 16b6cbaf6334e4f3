import { DomainException } from '../../core/errors/domain.exception';

export enum ExportErrorCode {
  NOT_FOUND = 'EXPORT_NOT_FOUND',
  LINK_INVALID = 'EXPORT_LINK_INVALID',
  LINK_EXPIRED = 'EXPORT_LINK_EXPIRED',
}

/** Also for another user's export id: 404, not 403, so ids cannot be probed. */
export class ExportNotFoundError extends DomainException {
  constructor() {
    super(ExportErrorCode.NOT_FOUND, 'Export not found', 404);
  }
}

export class ExportLinkInvalidError extends DomainException {
  constructor() {
    super(ExportErrorCode.LINK_INVALID, 'This download link is not valid', 403);
  }
}

export class ExportLinkExpiredError extends DomainException {
  constructor() {
    super(ExportErrorCode.LINK_EXPIRED, 'This download link has expired; request a new export', 410);
  }
}
