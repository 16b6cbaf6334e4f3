// Data subject requests against their legal deadlines: a warning while some are due within 3 days,
// and a critical alert once any is overdue (a missed GDPR or CCPA deadline is itself a breach of
// the law, which the privacy team must answer for).
import { Injectable } from '@nestjs/common';
import { DataRequestsService } from '../../requests/data-requests.service';
import { AlertCondition, AlertKind, CheckOutcome, MonitoringCheck } from './alert-condition';

export const DUE_SOON_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;
const SUBJECT = 'data_requests';

@Injectable()
export class DataRequestDeadlinesCheck implements MonitoringCheck {
  readonly name = 'data_request_deadlines';
  readonly kinds = [AlertKind.DATA_REQUESTS_DUE_SOON, AlertKind.DATA_REQUESTS_OVERDUE] as const;

  constructor(private readonly requests: DataRequestsService) {}

  async run(now: Date): Promise<CheckOutcome> {
    const open = await this.requests.openDueBefore(new Date(now.getTime() + DUE_SOON_WINDOW_MS));
    const deadlines = open.map((request) => (request.extendedUntil ?? request.dueAt).getTime());
    const overdue = deadlines.filter((deadline) => deadline < now.getTime());
    const dueSoon = deadlines.length - overdue.length;
    const conditions: AlertCondition[] = [];
    if (overdue.length > 0) {
      const oldest = new Date(Math.min(...overdue)).toISOString();
      conditions.push({
        kind: AlertKind.DATA_REQUESTS_OVERDUE,
        severity: 'critical',
        subject: SUBJECT,
        message: `${overdue.length} data subject request(s) past their legal deadline (the oldest was due ${oldest})`,
        observed: overdue.length,
      });
    }
    if (dueSoon > 0) {
      conditions.push({
        kind: AlertKind.DATA_REQUESTS_DUE_SOON,
        severity: 'warning',
        subject: SUBJECT,
        message: `${dueSoon} open data subject request(s) due within 3 days`,
        observed: dueSoon,
      });
    }
    return { evaluated: [...this.kinds], conditions };
  }
}
