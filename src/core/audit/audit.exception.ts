import { DomainException } from '../errors/domain.exception';

export enum AuditErrorCode {
  /** The entry id in the path is not a positive integer. */
  /** No audit entry has this id (never written, or removed by retention). */
  ENTRY_NOT_FOUND = 'AUDIT_ENTRY_NOT_FOUND',
  /** The entry exists but no batch seals it yet: ask again after the next seal. */
  ENTRY_NOT_SEALED = 'AUDIT_ENTRY_NOT_SEALED',
  /** The entry's batch no longer matches its root, so no proof can be given: run the verification. */
  PROOF_UNAVAILABLE = 'AUDIT_PROOF_UNAVAILABLE',
}

export class AuditEntryNotFoundException extends DomainException {
  constructor() {
    super(AuditErrorCode.ENTRY_NOT_FOUND, 'No audit entry has this id', 404);
  }
}

export class AuditEntryNotSealedException extends DomainException {
  constructor() {
    super(AuditErrorCode.ENTRY_NOT_SEALED, 'The audit entry is not sealed into a batch yet; try again in a few seconds', 409);
  }
}

export class AuditProofUnavailableException extends DomainException {
  constructor() {
    super(AuditErrorCode.PROOF_UNAVAILABLE, 'The batch holding this audit entry fails verification; see GET /api/admin/audit/verify', 409);
  }
}
