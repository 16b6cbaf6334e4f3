import { PrivacyRegime } from './entities/data-request.entity';
import { addCalendarMonths, dueDate, extendedDueDate } from './request-deadlines';

describe('request deadlines', () => {
  it('should give GDPR requests one calendar month, keeping the time of day', () => {
    expect(dueDate(PrivacyRegime.GDPR, new Date('2026-03-15T09:30:00Z')).toISOString()).toBe('2026-04-15T09:30:00.000Z');
    expect(dueDate(PrivacyRegime.GDPR, new Date('2026-12-20T00:00:00Z')).toISOString()).toBe('2027-01-20T00:00:00.000Z');
  });

  it('should end a GDPR month on the last day of a shorter month', () => {
    expect(dueDate(PrivacyRegime.GDPR, new Date('2026-01-31T12:00:00Z')).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(dueDate(PrivacyRegime.GDPR, new Date('2028-01-31T12:00:00Z')).toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(addCalendarMonths(new Date('2026-08-31T00:00:00Z'), 1).toISOString()).toBe('2026-09-30T00:00:00.000Z');
  });

  it('should give CCPA requests 45 days', () => {
    expect(dueDate(PrivacyRegime.CCPA, new Date('2026-03-01T10:00:00Z')).toISOString()).toBe('2026-04-15T10:00:00.000Z');
  });

  it('should extend GDPR by two further months and CCPA by 45 more days from the original deadline', () => {
    expect(extendedDueDate(PrivacyRegime.GDPR, new Date('2026-04-30T00:00:00Z')).toISOString()).toBe('2026-06-30T00:00:00.000Z');
    expect(extendedDueDate(PrivacyRegime.GDPR, new Date('2026-12-31T00:00:00Z')).toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(extendedDueDate(PrivacyRegime.CCPA, new Date('2026-04-15T10:00:00Z')).toISOString()).toBe('2026-05-30T10:00:00.000Z');
  });
});
