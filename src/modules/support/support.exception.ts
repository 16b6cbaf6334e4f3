import { DomainException } from '../../core/errors/domain.exception';

export enum SupportErrorCode {
  /** SUPPORT_TICKETS_PER_DAY tickets were opened in the last 24 hours. */
  DAILY_LIMIT = 'SUPPORT_TICKET_DAILY_LIMIT',
}

export class SupportTicketDailyLimitException extends DomainException {
  constructor(limit: number, retryAfterSeconds: number) {
    super(SupportErrorCode.DAILY_LIMIT, `At most ${limit} support tickets can be opened in 24 hours; try again later`, 429, {
      'Retry-After': String(Math.max(1, retryAfterSeconds)),
    });
  }
}
