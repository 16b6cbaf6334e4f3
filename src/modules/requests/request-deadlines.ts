// When a data subject request must be answered, by regime. Pure functions of the receipt time, so
// the deadline rules are read (and tested) in one place.
//
// GDPR Art. 12(3): "within one month of receipt", extendable "by two further months". A month is a
// calendar month ending on the same day of the month; when that day does not exist (31 January ->
// February), the period ends on the month's last day (Regulation 1182/71, Art. 3(2)(c), which the
// EDPB applies to Art. 12). CCPA §1798.130(a)(2): 45 calendar days, extendable once by 45 more.
import { PrivacyRegime } from './entities/data-request.entity';

const DAY_MS = 24 * 60 * 60 * 1000;

export function dueDate(regime: PrivacyRegime, receivedAt: Date): Date {
  return regime === PrivacyRegime.GDPR ? addCalendarMonths(receivedAt, 1) : new Date(receivedAt.getTime() + 45 * DAY_MS);
}

/** The latest an extension can move the deadline to, counted from the original due date. */
export function extendedDueDate(regime: PrivacyRegime, dueAt: Date): Date {
  return regime === PrivacyRegime.GDPR ? addCalendarMonths(dueAt, 2) : new Date(dueAt.getTime() + 45 * DAY_MS);
}

/** The same day-of-month `months` later (UTC), or that month's last day when it has no such day. */
export function addCalendarMonths(from: Date, months: number): Date {
  const target = new Date(from.getTime());
  const day = from.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}
